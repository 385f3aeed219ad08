import {
  comparePositions,
  decodePosition,
  encodePosition,
  guardStore,
  type ListOptions,
  type PutManyFailure,
  type PutManyOptions,
  type PutManyResult,
  positionOf,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  type TodoPage,
  type TodoRepository,
  VersionConflictError,
} from "@anycloud/core";
import Database from "libsql";
import type { SqliteDatabase } from "./sqlite-database.js";
import { SqliteStatements, UnbindableValueError } from "./sqlite-statements.js";

const STORE = "todo store";
const COLUMNS = "id, task, name, due_date, checked, created_at, updated_at, version";
const VALUES = "?, ?, ?, ?, ?, ?, ?, ?";

// Each statement crosses into the driver once however many rows it carries: `putMany` writes up to this many
// rows per INSERT (8 parameters each, far below SQLite's 32,766).
const ROWS_PER_UPSERT = 100;

const INSERT = `INSERT INTO todos (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (id) DO NOTHING`;
const UPSERT_SET = `ON CONFLICT (id) DO UPDATE SET task = excluded.task, name = excluded.name,
  due_date = excluded.due_date, checked = excluded.checked, created_at = excluded.created_at,
  updated_at = excluded.updated_at, version = excluded.version`;
const UPDATE = `UPDATE todos SET task = ?, name = ?, due_date = ?, checked = ?, created_at = ?, updated_at = ?,
  version = ? WHERE id = ? AND version = ?`;
const DELETE = "DELETE FROM todos WHERE id = ?";
const DELETE_AT_VERSION = "DELETE FROM todos WHERE id = ? AND version = ?";
const EXISTS = "SELECT 1 FROM todos WHERE id = ?";
// The todo as one JSON text too, as a page gives it: libsql hands a text cell over only up to its first NUL
// ("a\u0000b" came back "a"), while SQLite stores it whole and its JSON escapes it.
const GET = `SELECT json_array(${COLUMNS}) FROM todos WHERE id = ?`;
// A page comes back as one JSON text, `[[id, task, ...], ...]`, parsed in one go: handing a page over cell by
// cell costs the driver more than all of SQLite's work (8 cells a row). SQLite promises no order inside an
// aggregate without an ORDER BY of its own, which costs a second sort: the rows are put in order here instead.
const asJsonPage = (query: string) => `SELECT json_group_array(json_array(${COLUMNS})) FROM (${query})`;
const FIRST_PAGE = asJsonPage(`SELECT ${COLUMNS} FROM todos ORDER BY created_at, id LIMIT ?`);
const NEXT_PAGE = asJsonPage(
  `SELECT ${COLUMNS} FROM todos WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
);
/** The statements `list` runs, for a test to check their query plans. */
export const LIST_STATEMENTS = { FIRST_PAGE, NEXT_PAGE } as const;

// Built statements, by row count.
const upserts: string[] = [];
const inserts: string[] = [];

/**
 * The upsert of `rows` todos (or, keeping existing rows, their insert where the id is free), built once per row
 * count so that its prepared statement is reused.
 */
function upsertOf(rows: number, keepExisting = false): string {
  const built = keepExisting ? inserts : upserts;
  let sql = built[rows];
  if (sql === undefined) {
    const conflict = keepExisting ? "ON CONFLICT (id) DO NOTHING" : UPSERT_SET;
    sql = `INSERT INTO todos (${COLUMNS}) VALUES ${Array(rows).fill(`(${VALUES})`).join(", ")} ${conflict}`;
    built[rows] = sql;
  }
  return sql;
}

/**
 * Todos in the SQLite database opened by `openSqliteDatabase`, listed by keyset pagination over
 * `(createdAt, id)` with `encodePosition` tokens as cursors. The work is synchronous; the methods return
 * promises because the port is asynchronous.
 *
 * @example
 * const repository = new SqliteTodoRepository(await openSqliteDatabase({ url: "file:/data/todos.db" }));
 */
export class SqliteTodoRepository implements TodoRepository {
  readonly preferredBatchSize = 500;

  private readonly sql: SqliteStatements;

  constructor(database: SqliteDatabase) {
    this.sql = new SqliteStatements(database);
  }

  create(todo: Todo): Promise<void> {
    return guardStore(STORE, () =>
      this.sql.write(() => {
        if (this.sql.run(INSERT, rowOf(todo)) === 0) throw new TodoAlreadyExistsError(todo.id);
      }),
    );
  }

  get(id: string): Promise<Todo | undefined> {
    return guardStore(STORE, () => {
      const row = this.sql.get(GET, [id]);
      return row && todoOf(JSON.parse(row[0] as string) as TodoColumns);
    });
  }

  list({ limit, cursor }: ListOptions): Promise<TodoPage> {
    // Decoding throws InvalidCursorError, which guardStore lets through.
    return guardStore(STORE, () => {
      const after = cursor === undefined ? undefined : decodePosition(cursor);
      // One row more than asked tells whether another page follows, without an empty last page.
      const [page] = after
        ? this.sql.get(NEXT_PAGE, [after.createdAt, after.id, limit + 1])!
        : this.sql.get(FIRST_PAGE, [limit + 1])!;
      const rows = (JSON.parse(page as string) as TodoColumns[]).sort(byPosition);
      const items = rows.slice(0, limit).map(todoOf);
      const last = items.at(-1);
      return rows.length > limit && last
        ? { items, nextCursor: encodePosition(positionOf(last)) }
        : { items };
    });
  }

  update(todo: Todo, expectedVersion: number): Promise<void> {
    return guardStore(STORE, () =>
      this.sql.write(() => {
        // UPDATE takes the new values first, then the key and the version the row must be at.
        const [id, ...values] = rowOf(todo);
        if (this.sql.run(UPDATE, [...values, id, expectedVersion]) === 0)
          this.explainMiss(todo.id, expectedVersion);
      }),
    );
  }

  delete(id: string, expectedVersion?: number): Promise<void> {
    return guardStore(STORE, () =>
      this.sql.write(() => {
        const changes =
          expectedVersion === undefined
            ? this.sql.run(DELETE, [id])
            : this.sql.run(DELETE_AT_VERSION, [id, expectedVersion]);
        if (changes === 0) this.explainMiss(id, expectedVersion);
      }),
    );
  }

  putMany(todos: readonly Todo[], { keepExisting = false }: PutManyOptions = {}): Promise<PutManyResult> {
    return guardStore(STORE, async () => {
      if (todos.length === 0) return { failed: [] };
      try {
        // One transaction for the whole call, a few multi-row statements inside it.
        await this.sql.write(() => {
          for (let start = 0; start < todos.length; start += ROWS_PER_UPSERT) {
            const rows = todos.slice(start, start + ROWS_PER_UPSERT);
            this.sql.run(upsertOf(rows.length, keepExisting), rows.flatMap(rowOf));
          }
        });
        return { failed: [] };
      } catch (error) {
        if (!isItemError(error)) throw error;
        // Some todo broke the batch, which rolled back: write them one by one to find which, in one transaction
        // (a statement that fails undoes only its own row).
        return { failed: await this.sql.write(() => this.putOneByOne(todos, keepExisting)) };
      }
    });
  }

  /** Inside a write transaction: each todo in its own statement; the ones that fail, and why. */
  private putOneByOne(todos: readonly Todo[], keepExisting: boolean): PutManyFailure[] {
    const failed: PutManyFailure[] = [];
    for (const todo of todos) {
      try {
        this.sql.run(upsertOf(1, keepExisting), rowOf(todo));
      } catch (error) {
        if (!isItemError(error)) throw error;
        failed.push({ id: String(todo.id), reason: reasonFor(error) });
      }
    }
    return failed;
  }

  /** After a conditional write changed nothing: throws why. */
  private explainMiss(id: string, expectedVersion: number | undefined): never {
    if (this.sql.get(EXISTS, [id]) === undefined || expectedVersion === undefined)
      throw new TodoNotFoundError(id);
    throw new VersionConflictError(id, expectedVersion);
  }
}

/** A todo's values in `COLUMNS` order, as written and as read back. */
type TodoColumns = [string, string, string | null, string | null, number, string, string, number];

/** The todo's values in `COLUMNS` order. */
function rowOf(todo: Todo): TodoColumns {
  return [
    todo.id,
    todo.task,
    todo.name,
    todo.dueDate,
    todo.checked ? 1 : 0,
    todo.createdAt,
    todo.updatedAt,
    todo.version,
  ];
}

/**
 * Orders rows as the listing does: by `created_at`, then `id`. JavaScript compares UTF-16 code units and
 * SQLite bytes; they agree here because both columns are ASCII (ISO timestamps, UUIDs).
 */
function byPosition(a: TodoColumns, b: TodoColumns): number {
  return comparePositions({ createdAt: a[5], id: a[0] }, { createdAt: b[5], id: b[0] });
}

/** A row selected as `COLUMNS`, as the driver returns it: an array of column values. */
function todoOf(row: unknown[]): Todo {
  const [id, task, name, dueDate, checked, createdAt, updatedAt, version] = row as TodoColumns;
  return { id, task, name, dueDate, checked: checked === 1, createdAt, updatedAt, version };
}

const ITEM_ERROR_CODES = ["SQLITE_CONSTRAINT", "SQLITE_TOOBIG", "SQLITE_MISMATCH"];

/**
 * Whether an error is the fault of one todo (a value the schema refuses, or that the driver cannot bind)
 * rather than of the store; only those are reported per item, the rest fail the whole call.
 */
function isItemError(error: unknown): boolean {
  if (error instanceof UnbindableValueError) return true;
  const code = codeOf(error);
  return code !== undefined && ITEM_ERROR_CODES.includes(code);
}

/** A reason for the caller: names the kind of problem, never the SQL or the driver's message. */
function reasonFor(error: unknown): string {
  const code = codeOf(error);
  if (code === "SQLITE_TOOBIG") return "The todo is too large to store.";
  if (code === "SQLITE_CONSTRAINT") return "The todo has a missing or invalid field.";
  return "The todo has a value the store cannot hold.";
}

/** The primary result code of a SQLite error: `SQLITE_CONSTRAINT` for libsql's `SQLITE_CONSTRAINT_NOTNULL`. */
function codeOf(error: unknown): string | undefined {
  if (!(error instanceof Database.SqliteError) || typeof error.code !== "string") return undefined;
  return /^SQLITE_[A-Z]+/.exec(error.code)?.[0];
}
