import type { Todo, TodoRepository } from "@anycloud/core";

/** Every todo in `repository`, in its listing order, read page by page as a client would. */
export async function allTodosIn(repository: TodoRepository): Promise<Todo[]> {
  const all: Todo[] = [];
  let cursor: string | undefined;
  do {
    const page = await repository.list(cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}
