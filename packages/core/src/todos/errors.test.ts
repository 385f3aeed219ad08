import { describe, expect, it } from "vitest";
import { InvalidTodoIdError, TodoAlreadyExistsError, VersionConflictError } from "./errors.js";

const ID = "00000000-0000-4000-8000-000000000001";

// A 4xx's message is the problem's `detail` a caller reads (see error-responses.ts), and its code picks the status.
describe("the todo errors", () => {
  it.each([
    [
      "TodoAlreadyExistsError",
      new TodoAlreadyExistsError(ID),
      "TODO_ALREADY_EXISTS",
      `Todo ${ID} already exists.`,
    ],
    ["InvalidTodoIdError", new InvalidTodoIdError(), "INVALID_ID", "A todo id is a UUID."],
    [
      "VersionConflictError",
      new VersionConflictError(ID, 3),
      "VERSION_CONFLICT",
      `Todo ${ID} is not at version 3.`,
    ],
  ])("gives a %s its code and a message that says what happened", (_, error, code, message) => {
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it.each([
    [[4], "version 4"],
    [[4, 5], "any of versions 4, 5"],
    [[], "a version the If-Match header names (it names none we issued)"],
  ])("names the versions an If-Match accepted (%j) in a version conflict", (expected, named) => {
    expect(new VersionConflictError(ID, expected).message).toBe(`Todo ${ID} is not at ${named}.`);
  });
});
