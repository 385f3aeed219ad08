import { TodoNotFoundError } from "../errors.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import { type Todo, todoIdOf } from "../todo.js";

export class GetTodo {
  constructor(private readonly todos: TodoRepository) {}

  async execute(idGiven: string): Promise<Todo> {
    const id = todoIdOf(idGiven);
    const todo = await this.todos.get(id);
    if (!todo) throw new TodoNotFoundError(id);
    return todo;
  }
}
