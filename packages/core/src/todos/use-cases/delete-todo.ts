import { InvalidTodoIdError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { isTodoId } from "../todo.js";

export class DeleteTodo {
  constructor(private readonly todos: TodoRepository) {}

  async execute(id: string, options: { expectedVersion?: number } = {}): Promise<void> {
    if (!isTodoId(id)) throw new InvalidTodoIdError();
    await this.todos.delete(id, options.expectedVersion);
  }
}
