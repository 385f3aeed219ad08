import { TodoNotFoundError, VersionConflictError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { todoIdOf, type VersionPreconditions } from "../todo.js";

/** Deletes a todo; with `acceptedVersions` (from `If-Match`), only when it is at one of them. */
export class DeleteTodo {
  constructor(private readonly todos: TodoRepository) {}

  async execute(idGiven: string, { acceptedVersions }: VersionPreconditions = {}): Promise<void> {
    const id = todoIdOf(idGiven);
    if (acceptedVersions === undefined || acceptedVersions.length === 1) {
      await this.todos.delete(id, acceptedVersions?.[0]);
      return;
    }
    // If-Match named none of our versions, or several: read which one it is at, then delete on condition that
    // it still is.
    const current = await this.todos.get(id);
    if (!current) throw new TodoNotFoundError(id);
    if (!acceptedVersions.includes(current.version)) throw new VersionConflictError(id, acceptedVersions);
    await this.todos.delete(id, current.version);
  }
}
