import type { Todo } from "../todos/todo.js";

/** The instant test todos are created and updated at. */
export const STAMP = "2026-11-27T00:00:00.000Z";

/** The id of test todo `n`: a version 4 UUID whose last digits are `n`. */
export const testTodoId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** Test todo `n` as a store holds it: `Task n`, for nobody, undated, unchecked, at version 1, unless `fields` say. */
export function testTodo(n: number, fields: Partial<Todo> = {}): Todo {
  return {
    id: testTodoId(n),
    task: `Task ${n}`,
    name: null,
    dueDate: null,
    checked: false,
    createdAt: STAMP,
    updatedAt: STAMP,
    version: 1,
    ...fields,
  };
}

/** Test todos 1 to `count`. */
export const testTodos = (count: number, fields?: (n: number) => Partial<Todo>): Todo[] =>
  Array.from({ length: count }, (_, index) => testTodo(index + 1, fields?.(index + 1)));
