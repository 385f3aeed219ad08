import {
  decodePosition,
  encodePosition,
  type ListOptions,
  type PutManyFailure,
  type PutManyResult,
  positionOf,
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  type TodoPage,
  type TodoRepository,
  VersionConflictError,
} from "@anycloud/core";
import { type Client, type InStatement, LibsqlError, type Row } from "@libsql/client";
import { guardStore } from "./store-errors.js";

const STORE = "todo store";
const COLUMNS = "id, task, name, due_date, checked, created_at, updated_at, version";
const VALUES = "?, ?, ?, ?, ?, ?, ?, ?";

// The driver's cost is per statement, not per row: `putMany` writes up to this many rows per INSERT
// (8 parameters each, far below SQLite's 32,766).
const ROWS_PER_UPSERT = 100;

const INSERT = `INSERT INTO todos (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (id) DO NOTHING`;
const UPSERT_SET = `ON CONFLICT (id) DO UPDATE SET task = excluded.task, name = excluded.name,
  due_date = excluded.due_date, checked = excluded.checked, created_at = excluded.created_at,
  updated_at = excluded.updated_at, version = excluded.version`;
const UPDATE = `UPDATE todos SET task = ?, name = ?, due_date = ?, checked = ?, created_at = ?, updated_at = ?,
  version = ? WHERE id = ? AND version = ?`;
const GET = `SELECT ${COLUMNS} FROM todos WHERE id = ?`;
const FIRST_PAGE = `SELECT ${COLUMNS} FROM todos ORDER BY created_at, id LIMIT ?`;
const NEXT_PAGE = `SELECT ${COLUMNS} FROM todos WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`;

/**
 * Todos in the SQLite database opened by `openSqliteDatabase`, listed by keyset pagination over
 * `(createdAt, id)` with `encodePosition` tokens as cursors.
 *
 * @example
 * const repository = new SqliteTodoRepository(await openSqliteDatabase({ url: "file:/data/todos.db" }));
 */
export class SqliteTodoRepository implements TodoRepository {
  readonly preferredBatchSize = 500;

  constructor(private readonly client: Client) {}

  create(todo: Todo): Promise<void> {
    return guardStore(STORE, async () => {
      const result = await this.client.execute({ sql: INSERT, args: rowOf(todo) });
      if (result.rowsAffected === 0) throw new TodoAlreadyExistsError(todo.id);
    });
  }

  get(id: string): Promise<Todo | undefined> {
    return guardStore(STORE, async () => {
      const row = (await this.client.execute({ sql: GET, args: [id] })).rows[0];
      return row && todoOf(row);
    });
  }

  list({ limit, cursor }: ListOptions): Promise<TodoPage> {
    // Decoding throws InvalidCursorError, which guardStore lets through.
    return guardStore(STORE, async () => {
      const after = cursor === undefined ? undefined : decodePosition(cursor);
      // One row more than asked tells whether another page follows, without an empty last page.
      const statement: InStatement = after
        ? { sql: NEXT_PAGE, args: [after.createdAt, after.id, limit + 1] }
        : { sql: FIRST_PAGE, args: [limit + 1] };
      const rows = (await this.client.execute(statement)).rows;
      const items = rows.slice(0, limit).map(todoOf);
      const last = items.at(-1);
      return rows.length > limit && last
        ? { items, nextCursor: encodePosition(positionOf(last)) }
        : { items };
    });
  }

  update(todo: Todo, expectedVersion: number): Promise<void> {
    return guardStore(STORE, async () => {
      // UPDATE takes the new values first, then the key and the version the row must be at.
      const [id, ...values] = rowOf(todo);
      const result = await this.client.execute({ sql: UPDATE, args: [...values, id, expectedVersion] });
      if (result.rowsAffected === 0) await this.explainMiss(todo.id, expectedVersion);
    });
  }

  delete(id: string, expectedVersion?: number): Promise<void> {
    return guardStore(STORE, async () => {
      const result = await this.client.execute(
        expectedVersion === undefined
          ? { sql: "DELETE FROM todos WHERE id = ?", args: [id] }
          : { sql: "DELETE FROM todos WHERE id = ? AND version = ?", args: [id, expectedVersion] },
      );
      if (result.rowsAffected === 0) await this.explainMiss(id, expectedVersion);
    });
  }

  putMany(todos: readonly Todo[]): Promise<PutManyResult> {
    return guardStore(STORE, async () => {
      if (todos.length === 0) return { failed: [] };
      try {
        // One transaction for the whole call, a few multi-row statements inside it.
        const statements: InStatement[] = [];
        for (let start = 0; start < todos.length; start += ROWS_PER_UPSERT) {
          statements.push(upsertOf(todos.slice(start, start + ROWS_PER_UPSERT)));
        }
        await this.client.batch(statements, "write");
        return { failed: [] };
      } catch (error) {
        if (!isItemError(error)) throw error;
        // Some todo broke the batch, which rolled back: write them one by one to find which.
        return { failed: await this.putOneByOne(todos) };
      }
    });
  }

  private async putOneByOne(todos: readonly Todo[]): Promise<PutManyFailure[]> {
    const failed: PutManyFailure[] = [];
    for (const todo of todos) {
      try {
        await this.client.execute(upsertOf([todo]));
      } catch (error) {
        if (!isItemError(error)) throw error;
        failed.push({ id: String(todo.id), reason: reasonFor(error) });
      }
    }
    return failed;
  }

  /** After a conditional write changed nothing: throws why. */
  private async explainMiss(id: string, expectedVersion: number | undefined): Promise<never> {
    const result = await this.client.execute({ sql: "SELECT 1 FROM todos WHERE id = ?", args: [id] });
    if (result.rows.length === 0 || expectedVersion === undefined) throw new TodoNotFoundError(id);
    throw new VersionConflictError(id, expectedVersion);
  }
}

type TodoRow = [string, string, string | null, string | null, number, string, string, number];

/** The todo's values in `COLUMNS` order. */
function rowOf(todo: Todo): TodoRow {
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

/** One INSERT that writes every todo, whatever is stored under its id. */
function upsertOf(todos: readonly Todo[]): InStatement {
  return {
    sql: `INSERT INTO todos (${COLUMNS}) VALUES ${todos.map(() => `(${VALUES})`).join(", ")} ${UPSERT_SET}`,
    args: todos.flatMap(rowOf),
  };
}

function todoOf(row: Row): Todo {
  return {
    id: row.id as string,
    task: row.task as string,
    name: row.name as string | null,
    dueDate: row.due_date as string | null,
    checked: row.checked === 1,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    version: row.version as number,
  };
}

const ITEM_ERROR_CODES = new Set(["SQLITE_CONSTRAINT", "SQLITE_TOOBIG", "SQLITE_MISMATCH"]);

/**
 * Whether an error is the fault of one todo (a value the schema refuses, or that the driver cannot bind)
 * rather than of the store; only those are reported per item, the rest fail the whole call.
 */
function isItemError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  return error instanceof LibsqlError && ITEM_ERROR_CODES.has(error.code);
}

/** A reason for the caller: names the kind of problem, never the SQL or the driver's message. */
function reasonFor(error: unknown): string {
  const code = error instanceof LibsqlError ? error.code : undefined;
  if (code === "SQLITE_TOOBIG") return "The todo is too large to store.";
  if (code === "SQLITE_CONSTRAINT") return "The todo has a missing or invalid field.";
  return "The todo has a value the store cannot hold.";
}
