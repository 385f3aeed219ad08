import type { Clock } from "../../shared/clock.js";
import type { IdGenerator } from "../../shared/id-generator.js";
import type { TodoRepository } from "../ports/todo-repository.js";
import type { Todo } from "../todo.js";
import { todoSchemas } from "../todo-schema.js";
import { validate } from "../validate.js";

/** Creates a todo from untrusted input: validated, given a fresh id, version 1. */
export class AddTodo {
  constructor(
    private readonly todos: TodoRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(input: unknown): Promise<Todo> {
    const fields = validate(todoSchemas().newTodo, input);
    const now = this.clock.now().toISOString();
    const todo: Todo = {
      id: this.ids.newId(),
      task: fields.task,
      name: fields.name ?? null,
      dueDate: fields.dueDate ?? null,
      checked: fields.checked ?? false,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.todos.create(todo);
    return todo;
  }
}
