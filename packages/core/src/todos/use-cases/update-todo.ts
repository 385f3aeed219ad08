import type { Clock } from "../../shared/clock.js";
import { TodoNotFoundError, VersionConflictError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { type Todo, todoIdOf, type VersionPreconditions } from "../todo.js";
import { todoPatchSchema } from "../todo-schema.js";
import { validate } from "../validate.js";

// Without a precondition from the caller, a concurrent writer may win between our read and our write:
// read again and re-apply the patch a few times before reporting the conflict.
const UNCONDITIONAL_ATTEMPTS = 3;

/**
 * Applies a partial update. With a precondition (the versions an `If-Match` accepts, the body's `version`,
 * or both, which must then both hold) it is conditional and a stale version is a `VersionConflictError`;
 * without one it applies to the latest version.
 */
export class UpdateTodo {
  constructor(
    private readonly todos: TodoRepository,
    private readonly clock: Clock,
  ) {}

  async execute(idGiven: string, input: unknown, options: VersionPreconditions = {}): Promise<Todo> {
    const id = todoIdOf(idGiven);
    const { version: bodyVersion, ...patch } = validate(todoPatchSchema, input);
    // Each precondition given must hold: an `If-Match` does not excuse a stale `version` in the body.
    const preconditions = [
      options.acceptedVersions,
      bodyVersion === undefined ? undefined : [bodyVersion],
    ].filter((versions) => versions !== undefined);
    for (let attempt = 1; ; attempt++) {
      const current = await this.todos.get(id);
      if (!current) throw new TodoNotFoundError(id);
      const unmet = preconditions.find((versions) => !versions.includes(current.version));
      if (unmet !== undefined) throw new VersionConflictError(id, unmet);
      const next: Todo = {
        ...current,
        ...patch,
        updatedAt: this.clock.now().toISOString(),
        version: current.version + 1,
      };
      try {
        await this.todos.update(next, current.version);
        return next;
      } catch (error) {
        const retry = error instanceof VersionConflictError && preconditions.length === 0;
        if (!retry || attempt >= UNCONDITIONAL_ATTEMPTS) throw error;
      }
    }
  }
}
