import type { Writable } from "node:stream";
import type { Todo, TodoRepository } from "@anycloud/core";

const PAGE_SIZE = 100;

export interface ListTodosOptions {
  /** How many todos to print at most; all of them when absent. */
  limit?: number;
  /** One JSON object per line instead of the readable line. */
  json: boolean;
}

/**
 * Prints the store's todos to `out`, a page at a time, and stops as soon as nobody reads any more: with
 * `todo list | head`, the pipe closes after a few lines, and reading a store of a million todos to the end for
 * nobody would take minutes. Any other write error (a full disk) is thrown as an `OutputError`.
 */
export async function listTodos(
  todos: Pick<TodoRepository, "list">,
  out: Writable,
  { limit = Number.POSITIVE_INFINITY, json }: ListTodosOptions,
): Promise<void> {
  // The failed write's callback tells; the stream's "error" event, which follows, must not go unheard.
  const ignore = () => {};
  out.on("error", ignore);
  let failure: NodeJS.ErrnoException | undefined;
  try {
    let cursor: string | undefined;
    let printed = 0;
    do {
      const page = await todos.list({
        limit: Math.min(PAGE_SIZE, limit - printed),
        ...(cursor ? { cursor } : {}),
      });
      const text = page.items.map((todo) => `${json ? JSON.stringify(todo) : describe(todo)}\n`).join("");
      failure = await write(out, text);
      if (failure) break;
      printed += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined && printed < limit);
  } finally {
    out.off("error", ignore);
  }
  if (failure && failure.code !== "EPIPE") throw new OutputError("list", failure);
}

/**
 * Writes `text` to `out`; a reader that has gone (EPIPE) is fine, any other failure (a full disk) is thrown
 * as an `OutputError` naming `what`.
 */
export async function writeOut(out: Writable, text: string, what: string): Promise<void> {
  const ignore = () => {};
  out.on("error", ignore);
  try {
    const failure = await write(out, text);
    if (failure && failure.code !== "EPIPE") throw new OutputError(what, failure);
  } finally {
    out.off("error", ignore);
  }
}

/** The output could not be written (a full disk, a closed file): the user's to fix, not a bug. */
export class OutputError extends Error {
  constructor(what: string, cause: NodeJS.ErrnoException) {
    super(`could not write the ${what}: ${cause.message}`, { cause });
  }
}

function describe(todo: Todo): string {
  const name = todo.name ? ` (${todo.name})` : "";
  const due = todo.dueDate ? `, due ${todo.dueDate}` : "";
  return `${todo.checked ? "[x]" : "[ ]"} ${todo.task}${name}${due}  ${todo.id}`;
}

/** Resolves once `out` has written `text` (so that a slow reader holds the listing back), with its error if any. */
function write(out: Writable, text: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    try {
      out.write(text, (error) => resolve(error ?? undefined));
    } catch (error) {
      // A file descriptor stdout (`> /dev/full`) writes synchronously, and throws.
      resolve(error as NodeJS.ErrnoException);
    }
  });
}
