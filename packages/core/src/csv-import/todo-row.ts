import type { CsvRecord } from "./csv-record-parser.js";
import type { ImportColumns } from "./import-header.js";
import { parseTodoRow, type TodoRow } from "./todo-row-schema.js";

const INVALID_UTF8 = "invalid UTF-8 (or U+FFFD, the character that replaces it)";

export interface RowAccepted {
  kind: "row";
  line: number;
  row: TodoRow;
}

export interface RowRejected {
  kind: "rejected";
  line: number;
  reason: string;
}

/**
 * Reads one data record against the header's columns: the row, or why it is refused (another number of
 * fields than the header, bytes that are not UTF-8, or `todoRowSchema`'s `field: message`s, checked by
 * `parseTodoRow`).
 */
export function readTodoRow({ fields, line }: CsvRecord, columns: ImportColumns): RowAccepted | RowRejected {
  if (fields.length !== columns.width) {
    return { kind: "rejected", line, reason: `expected ${columns.width} fields, found ${fields.length}` };
  }
  const task = fields[columns.task];
  const name = columns.name < 0 ? undefined : fields[columns.name];
  const dueDate = columns.dueDate < 0 ? undefined : fields[columns.dueDate];
  const checked = columns.checked < 0 ? undefined : fields[columns.checked];
  // Bytes that are not UTF-8 decode to U+FFFD: such text cannot be trusted, so the row is refused. A U+FFFD
  // written in the file as valid UTF-8 looks the same here, and is refused too (the reason says so); telling
  // them apart would mean checking every record's bytes for the sake of a character that marks lost text.
  if (
    task?.includes("\uFFFD") ||
    name?.includes("\uFFFD") ||
    dueDate?.includes("\uFFFD") ||
    checked?.includes("\uFFFD")
  ) {
    return { kind: "rejected", line, reason: INVALID_UTF8 };
  }
  const result = parseTodoRow({ task, name, dueDate, checked });
  if (result.success) return { kind: "row", line, row: result.data };
  const reason = result.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  return { kind: "rejected", line, reason };
}
