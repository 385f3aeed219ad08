import { CONTROL_CHARACTERS } from "../todos/text-rules.js";

/** Where each known column sits in a record; `-1` for an optional column the file does not have. */
export interface ImportColumns {
  /** The number of fields every record must have: the header's. */
  width: number;
  task: number;
  name: number;
  dueDate: number;
  checked: number;
}

/**
 * Reads the header record: names are matched trimmed, case-insensitively, without the spaces, `_` and `-` a
 * spreadsheet's header often has (`Due Date`, `due_date`: ignored as unknown, such a column lost every date
 * without a word) and without quotes around them (a header quoted with `"` in a file whose data is quoted with
 * `'` keeps its quotes as text), in any order;
 * columns other than `task`, `name`, `dueDate` and `checked` are ignored. Returns the reason when there is no
 * `task`, or when one of those four is named twice (`task,Task`): which of the two holds the value is
 * anybody's guess, and a spreadsheet joined from two others can hold both.
 */
export function readImportHeader(fields: readonly string[]): ImportColumns | { reason: string } {
  const names = fields.map(columnName);
  const task = names.indexOf("task");
  if (task < 0) return { reason: `header must contain a "task" column${separatorHint(fields)}` };
  const twice = KNOWN_COLUMNS.find((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (twice !== undefined) {
    // As the file spells them (`dueDate`, `due date`): the name matched by, `duedate`, is in neither.
    const spellings = fields.filter((_, index) => names[index] === twice).map((field) => field.trim());
    const shown = spellings.slice(0, MAX_SPELLINGS_SHOWN).map((name) => quoted(shortened(name)));
    const more = spellings.length - shown.length;
    const given = shown.join(", ") + (more > 0 ? ` and ${more} more` : "");
    return { reason: `header names the "${COLUMN_NAMES[twice]}" column twice: ${given}` };
  }
  return {
    width: fields.length,
    task,
    name: names.indexOf("name"),
    dueDate: names.indexOf("duedate"),
    checked: names.indexOf("checked"),
  };
}

const KNOWN_COLUMNS = ["task", "name", "duedate", "checked"] as const;

/** Each known column as the README names it, for messages. */
const COLUMN_NAMES: Record<(typeof KNOWN_COLUMNS)[number], string> = {
  task: "task",
  name: "name",
  duedate: "dueDate",
  checked: "checked",
};

/** Separators spreadsheets write instead of commas: `;` where the comma is the decimal mark, tabs, pipes. */
const OTHER_SEPARATORS = [";", "\t", "|"] as const;

/**
 * Why a header without `task` may have one after all: its fields are separated by something else (Excel in a
 * locale whose decimal mark is the comma writes `;`), or its first line is Excel's `sep=;`. Such a file is
 * common, and "no task column" alone sends its user looking for a column that is there.
 */
function separatorHint(fields: readonly string[]): string {
  const advice = 'save it as "CSV UTF-8 (comma delimited)"';
  const first = fields[0]?.trim().toLowerCase();
  // `sep=;` is one field; `sep=,` is two, the second empty.
  if (first?.startsWith("sep=")) {
    return ` (the first line, ${quoted(shortened(fields.join(",").trim()))}, is Excel's separator line: ${advice})`;
  }
  const separator = OTHER_SEPARATORS.find((other) =>
    fields.some((field) => field.split(other).some((part) => columnName(part) === "task")),
  );
  return separator === undefined
    ? ""
    : ` (the header's names are separated by ${JSON.stringify(separator)}, not commas: ${advice})`;
}

/**
 * How much of the file's own text a reason quotes: a reason is answered, stored in the ledger and logged, and
 * a 64 KiB header echoed whole (`t\v\v…ask` twice, each \v written `\u000b`) made a reason of 390 kB.
 */
const MAX_QUOTED_CHARACTERS = 64;
const MAX_SPELLINGS_SHOWN = 3;

/** `text`, or its start and `…` when it is longer than a reason quotes (never half a surrogate pair). */
function shortened(text: string): string {
  if (text.length <= MAX_QUOTED_CHARACTERS) return text;
  const last = text.charCodeAt(MAX_QUOTED_CHARACTERS - 1);
  const highSurrogate = last >= 0xd800 && last <= 0xdbff;
  return `${text.slice(0, highSurrogate ? MAX_QUOTED_CHARACTERS - 1 : MAX_QUOTED_CHARACTERS)}…`;
}

/**
 * The file's `text` as a reason quotes it: a JSON string, with the controls JSON leaves as they are (DEL, C1, the
 * line separators and text-direction overrides) escaped too. `todo import` prints reasons on a terminal, and a
 * header line is the file's to write: one holding ESC sequences set the terminal's title, or cleared the line.
 */
function quoted(text: string): string {
  return JSON.stringify(text).replace(
    CONTROL_CHARACTERS_ALL,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, "g");

/** A header field as the name it is matched by: `"Due Date"` as `duedate`. */
function columnName(field: string): string {
  return unquote(field.trim())
    .replace(/[\s_-]/g, "")
    .toLowerCase();
}

/** `"task"` or `'task'` as `task`. */
function unquote(name: string): string {
  const quoted = name.length >= 2 && (name[0] === '"' || name[0] === "'") && name.at(-1) === name[0];
  return quoted ? name.slice(1, -1) : name;
}
