import { InvalidTodoIdError, TodoNotFoundError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { isTodoId, type Todo } from "../todo.js";

export class GetTodo {
  constructor(private readonly todos: TodoRepository) {}

  async execute(id: string): Promise<Todo> {
    if (!isTodoId(id)) throw new InvalidTodoIdError();
    const todo = await this.todos.get(id);
    if (!todo) throw new TodoNotFoundError(id);
    return todo;
  }
}
