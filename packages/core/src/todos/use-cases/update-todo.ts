import type { Clock } from "../../shared/clock.js";
import { TodoNotFoundError, VersionConflictError, VersionRefusedError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { isRefusedVersion, type Todo, todoIdOf, type VersionPreconditions } from "../todo.js";
import { todoSchemas } from "../todo-schema.js";
import { validate } from "../validate.js";

// Without a precondition from the caller, a concurrent writer may win between our read and our write:
// read again and re-apply the patch a few times before reporting the conflict.
const UNCONDITIONAL_ATTEMPTS = 3;

/**
 * Applies a partial update. With a precondition (the versions an `If-Match` accepts, the body's `version`,
 * or both, which must then both hold) it is conditional and a stale version is a `VersionConflictError`;
 * without one it applies to the latest version. A version an `If-None-Match` names is refused
 * (`VersionRefusedError`) whatever the others say.
 */
export class UpdateTodo {
  constructor(
    private readonly todos: TodoRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * What a conditional PATCH meets before its content is read: an unknown todo (`TodoNotFoundError`), an
   * `If-Match` it is not at (`VersionConflictError`), an `If-None-Match` it is at (`VersionRefusedError`). RFC 9110 §13.2.1 evaluates preconditions before the
   * content is processed, so these answer a request whose body is also at fault; `execute` reads the todo only
   * after validating its input, and the HTTP route asks this only when the body failed.
   */
  async checkBeforeContent(
    idGiven: string,
    { acceptedVersions, refusedVersions }: VersionPreconditions = {},
  ): Promise<void> {
    const preconditions = acceptedVersions === undefined ? [] : [acceptedVersions];
    await this.currentMeeting(todoIdOf(idGiven), preconditions, refusedVersions);
  }

  async execute(idGiven: string, input: unknown, options: VersionPreconditions = {}): Promise<Todo> {
    const id = todoIdOf(idGiven);
    const { version: bodyVersion, ...patch } = validate(todoSchemas().patch, input);
    // Each precondition given must hold: an `If-Match` does not excuse a stale `version` in the body.
    const preconditions = [
      options.acceptedVersions,
      bodyVersion === undefined ? undefined : [bodyVersion],
    ].filter((versions) => versions !== undefined);
    for (let attempt = 1; ; attempt++) {
      // Each attempt checks If-None-Match again, against the version its write is conditional on.
      const current = await this.currentMeeting(id, preconditions, options.refusedVersions);
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

  /** The stored todo, if it is at one of the versions each precondition accepts and at none refused. */
  private async currentMeeting(
    id: string,
    preconditions: readonly (readonly number[])[],
    refused: VersionPreconditions["refusedVersions"],
  ): Promise<Todo> {
    const current = await this.todos.get(id);
    if (!current) throw new TodoNotFoundError(id);
    const unmet = preconditions.find((versions) => !versions.includes(current.version));
    if (unmet !== undefined) throw new VersionConflictError(id, unmet);
    if (isRefusedVersion(current.version, refused))
      throw new VersionRefusedError(id, current.version, refused === "*");
    return current;
  }
}
