import type { PutManyFailure, PutManyOptions, TodoRepository } from "../todos/ports/todo-repository.js";
import type { Todo } from "../todos/todo.js";
import type { ImportTally } from "./import-tally.js";

/**
 * The todos waiting to be written together (`preferredBatchSize` of them), with the line each came from, so
 * that an item the store fails to write is reported by its line.
 */
export class TodoBatch {
  private todos: Todo[] = [];
  private lines: number[] = [];
  private readonly capacity: number;

  /** What every write of the batch tells the store. */
  private readonly options: PutManyOptions;

  constructor(
    private readonly repository: TodoRepository,
    private readonly tally: ImportTally,
    /**
     * For an import's later attempts, which write only the todos an earlier attempt did not, so that an edit
     * or a change made since to what it wrote is not undone.
     */
    keepExisting = false,
    /** The import's signal: a store stops retrying a batch once it is aborted. */
    signal?: AbortSignal,
  ) {
    this.capacity = Math.max(1, repository.preferredBatchSize);
    this.options = { ...(keepExisting && { keepExisting }), ...(signal && { signal }) };
  }

  /** Adds a todo; true when the batch is full and should be written. */
  add(todo: Todo, line: number): boolean {
    this.todos.push(todo);
    this.lines.push(line);
    return this.todos.length >= this.capacity;
  }

  /**
   * Writes the batch and empties it, counting what was written and what failed; false when it was empty. When
   * the store fails as a whole, the batch counts as failed (with one error for all of it) before the error
   * goes on: the report of the stopped import still adds up (read = imported + rejected + failed).
   */
  async write(): Promise<boolean> {
    if (this.todos.length === 0) return false;
    const { todos, lines } = this;
    this.todos = [];
    this.lines = [];
    let failed: PutManyFailure[];
    try {
      ({ failed } = await this.repository.putMany(todos, this.options));
    } catch (error) {
      // Some of them may be written: the store does not say which. A retry writes whichever are missing.
      this.tally.unsaved(todos.length, {
        line: lines[0]!,
        reason: `not confirmed saved: the store failed while writing the ${todos.length} rows from this line on`,
      });
      throw error;
    }
    this.tally.written(todos.length - failed.length);
    if (failed.length > 0) {
      const lineOf = new Map(todos.map((todo, index) => [todo.id, lines[index]!]));
      for (const failure of failed) {
        this.tally.fail({ line: lineOf.get(failure.id) ?? 0, reason: `not saved: ${failure.reason}` });
      }
    }
    return true;
  }

  /**
   * Counts the todos still waiting as failed, and empties the batch: the import stopped (its body broke off, a
   * stop was asked for) before they were written.
   */
  abandon(): void {
    if (this.todos.length === 0) return;
    const count = this.todos.length;
    this.tally.unsaved(count, {
      line: this.lines[0]!,
      reason: `not saved: the import stopped before the ${count} rows from this line on were written`,
    });
    this.todos = [];
    this.lines = [];
  }
}
