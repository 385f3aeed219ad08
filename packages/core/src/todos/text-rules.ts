/** Limits and character rules of a todo's text fields, kept apart from the schema so that code which only
 * needs the rules (the hello routes) does not load the schema library. */

// C0 and C1 control characters, DEL included. Tabs and newlines too: a task is one line of text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export const TASK_MAX_LENGTH = 500;
export const NAME_MAX_LENGTH = 100;
