/** Limits and character rules of a todo's text fields, kept apart from the schema so that code which only
 * needs the rules (the hello routes) does not load the schema library. */

// C0 and C1 control characters, DEL included. Tabs and newlines too, and Unicode's line and paragraph
// separators (U+2028, U+2029): a task is one line of text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// A UTF-16 surrogate without its pair. JSON can carry one ("\ud800"), but UTF-8 cannot: SQLite would store
// U+FFFD in its place, so the todo would not read back as it was accepted. CSV text never holds one (invalid
// UTF-8 decodes to U+FFFD).
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const TASK_MAX_LENGTH = 500;
export const NAME_MAX_LENGTH = 100;
