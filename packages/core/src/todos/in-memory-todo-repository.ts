import { TodoAlreadyExistsError, TodoNotFoundError, VersionConflictError } from "./errors.js";
import { comparePositions, decodePosition, encodePosition, positionOf } from "./list-position.js";
import type {
  ListOptions,
  PutManyOptions,
  PutManyResult,
  TodoPage,
  TodoRepository,
} from "./ports/todo-repository.js";
import type { Todo } from "./todo.js";

/** Todos in a `Map`, for tests and `TODO_STORE=memory`. Copies on the way in and out, like a real store. */
export class InMemoryTodoRepository implements TodoRepository {
  readonly preferredBatchSize: number = 500;
  private readonly todos = new Map<string, Todo>();
  // Listing order, rebuilt lazily after a write that adds or removes an id or moves a todo's createdAt.
  private ordered: Todo[] | undefined;

  async create(todo: Todo): Promise<void> {
    if (this.todos.has(todo.id)) throw new TodoAlreadyExistsError(todo.id);
    this.write(todo);
  }

  async get(id: string): Promise<Todo | undefined> {
    const todo = this.todos.get(id);
    return todo && { ...todo };
  }

  async list({ limit, cursor }: ListOptions): Promise<TodoPage> {
    const ordered = this.listingOrder();
    const after = cursor === undefined ? undefined : decodePosition(cursor);
    const start = after === undefined ? 0 : firstIndexAfter(ordered, after);
    // The ordered array may hold stale copies of updated todos: read the current ones from the map.
    const items = ordered.slice(start, start + limit).map((todo) => ({ ...this.todos.get(todo.id)! }));
    const last = items.at(-1);
    const hasMore = start + limit < ordered.length;
    return hasMore && last ? { items, nextCursor: encodePosition(positionOf(last)) } : { items };
  }

  async update(todo: Todo, expectedVersion: number): Promise<void> {
    const stored = this.todos.get(todo.id);
    if (!stored) throw new TodoNotFoundError(todo.id);
    if (stored.version !== expectedVersion) throw new VersionConflictError(todo.id, expectedVersion);
    this.write(todo);
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    const stored = this.todos.get(id);
    if (!stored) throw new TodoNotFoundError(id);
    if (expectedVersion !== undefined && stored.version !== expectedVersion) {
      throw new VersionConflictError(id, expectedVersion);
    }
    this.todos.delete(id);
    this.ordered = undefined;
  }

  async putMany(
    todos: readonly Todo[],
    { keepExisting = false }: PutManyOptions = {},
  ): Promise<PutManyResult> {
    for (const todo of todos) if (!keepExisting || !this.todos.has(todo.id)) this.write(todo);
    return { failed: [] };
  }

  private listingOrder(): Todo[] {
    this.ordered ??= [...this.todos.values()].sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
    return this.ordered;
  }

  private write(todo: Todo): void {
    const previous = this.todos.get(todo.id);
    this.todos.set(todo.id, { ...todo });
    if (!previous || previous.createdAt !== todo.createdAt) this.ordered = undefined;
  }
}

/** Binary search for the first todo strictly after `position`. */
function firstIndexAfter(ordered: readonly Todo[], position: { createdAt: string; id: string }): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePositions(positionOf(ordered[middle]!), position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
