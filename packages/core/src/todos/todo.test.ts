import { describe, expect, it } from "vitest";
import { InvalidTodoIdError } from "./errors.js";
import { todoIdOf } from "./todo.js";

const ID = "0b6c4f1e-9a57-4d2b-8e3c-5f7a1d9c2b64";

describe("todoIdOf", () => {
  it.each([`x${ID}`, `${ID}x`, `${ID}/${ID}`])("refuses %j, which holds a UUID but is none", (value) => {
    expect(() => todoIdOf(value)).toThrow(InvalidTodoIdError);
  });
});
