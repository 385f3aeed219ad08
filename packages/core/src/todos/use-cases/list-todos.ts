import type { CursorCodec } from "../cursor-codec.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import type { Todo } from "../todo.js";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface TodoListPage {
  items: Todo[];
  /** Opaque and signed; absent on the last page. */
  nextCursor?: string;
}

/** One page of todos; the caller's cursor is verified before the store sees the position inside it. */
export class ListTodos {
  constructor(
    private readonly todos: TodoRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async execute(options: { limit?: number; cursor?: string } = {}): Promise<TodoListPage> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const cursor = options.cursor === undefined ? undefined : this.cursors.decode(options.cursor);
    const page = await this.todos.list(cursor === undefined ? { limit } : { limit, cursor });
    return page.nextCursor === undefined
      ? { items: page.items }
      : { items: page.items, nextCursor: this.cursors.encode(page.nextCursor) };
  }

  /**
   * The first `count` todos (all of them with `Infinity`), read page after page, and the signed cursor of the
   * rest when there is more: what the workshop's `GET /todo/list` answers.
   */
  async first(count: number): Promise<TodoListPage> {
    const items: Todo[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(MAX_PAGE_SIZE, count - items.length);
      const page = await this.todos.list(cursor === undefined ? { limit } : { limit, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined && items.length < count);
    return cursor === undefined ? { items } : { items, nextCursor: this.cursors.encode(cursor) };
  }
}
