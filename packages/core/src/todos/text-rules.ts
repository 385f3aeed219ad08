/** Limits and character rules of a todo's text fields, kept apart from the schema so that code which only
 * needs the rules (the hello routes) does not load the schema library. */

// C0 and C1 control characters, DEL included. Tabs and newlines too, and Unicode's line and paragraph
// separators (U+2028, U+2029): a task is one line of text. And the bidirectional embeddings, overrides and
// isolates (U+202A-U+202E, U+2066-U+2069), which make text display in another order than it is stored (the
// "Trojan Source" trick, UTS #55): a todo is written for someone else to read. The direction marks (U+061C,
// U+200E, U+200F) stay allowed: mixed right-to-left text needs them, and they reorder nothing by themselves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// A character that shows: not white space, not one Unicode says to render as nothing when unsupported
// (Default_Ignorable_Code_Point: zero-width spaces and joiners, direction marks, variation selectors, Hangul
// fillers...), not the blank Braille pattern. A text of nothing but those passes "not empty" and shows nothing.
export const VISIBLE_CHARACTER = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u;

// A UTF-16 surrogate without its pair. JSON can carry one ("\ud800"), but UTF-8 cannot: SQLite would store
// U+FFFD in its place, so the todo would not read back as it was accepted. CSV text never holds one (invalid
// UTF-8 decodes to U+FFFD).
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// U+FFFD, the replacement character: what a decoder writes for bytes it could not read, so text holding one has
// lost characters on its way (a file saved in another encoding than UTF-8). An import refuses a CSV row holding
// one, for its bytes may have been no UTF-8 (`readTodoRow`); the API refuses such text alike, or a todo refused
// in a file could be sent over JSON instead.
export const REPLACEMENT_CHARACTER = "\uFFFD";

export const TASK_MAX_LENGTH = 500;
export const NAME_MAX_LENGTH = 100;
