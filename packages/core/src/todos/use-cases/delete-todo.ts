import { TodoNotFoundError, VersionConflictError, VersionRefusedError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { isRefusedVersion, todoIdOf, type VersionPreconditions } from "../todo.js";

// A delete that only an If-None-Match conditions reads again after a concurrent write, a few times at most.
const ATTEMPTS_WITHOUT_IF_MATCH = 3;

/**
 * Deletes a todo; with `acceptedVersions` (from `If-Match`), only when it is at one of them, and with
 * `refusedVersions` (from `If-None-Match`), only when it is at none of them.
 */
export class DeleteTodo {
  constructor(private readonly todos: TodoRepository) {}

  async execute(
    idGiven: string,
    { acceptedVersions, refusedVersions }: VersionPreconditions = {},
  ): Promise<void> {
    const id = todoIdOf(idGiven);
    if (refusedVersions === undefined && (acceptedVersions === undefined || acceptedVersions.length === 1)) {
      await this.todos.delete(id, acceptedVersions?.[0]);
      return;
    }
    // If-Match named none of our versions, or several, or an If-None-Match came: read which version it is at,
    // then delete on condition that it still is.
    for (let attempt = 1; ; attempt++) {
      const current = await this.todos.get(id);
      if (!current) throw new TodoNotFoundError(id);
      if (acceptedVersions !== undefined && !acceptedVersions.includes(current.version)) {
        throw new VersionConflictError(id, acceptedVersions);
      }
      if (isRefusedVersion(current.version, refusedVersions)) {
        throw new VersionRefusedError(id, current.version, refusedVersions === "*");
      }
      try {
        await this.todos.delete(id, current.version);
        return;
      } catch (error) {
        // Written between the read and the delete. With only an If-None-Match the caller named no version to
        // be at: the new one is checked as the first was (a conflict naming the version read would name one the
        // caller never sent). With an If-Match, the version it accepted is gone.
        const retry = error instanceof VersionConflictError && acceptedVersions === undefined;
        if (!retry || attempt >= ATTEMPTS_WITHOUT_IF_MATCH) throw error;
      }
    }
  }
}
