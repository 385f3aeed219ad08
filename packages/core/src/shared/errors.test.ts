import { describe, expect, it } from "vitest";
import * as core from "../index.js";
import { AppError, InvalidCursorError, MAX_FIELD_ISSUES, ValidationError } from "./errors.js";

const issue = (index: number) => ({ path: ["items", index, "task"], message: "must not be empty" });

describe("ValidationError", () => {
  it("says each issue with its dotted path, and (root) for the input itself", () => {
    const error = new ValidationError([
      { path: [], message: "must be an object" },
      { path: ["items", 3, "task"], message: "must not be empty" },
    ]);

    expect(error.message).toBe("Invalid input: (root): must be an object; items.3.task: must not be empty");
    expect(error.issueCount).toBe(2);
  });

  it("keeps the first MAX_FIELD_ISSUES issues, and says how many more there were", () => {
    const issues = Array.from({ length: MAX_FIELD_ISSUES + 3 }, (_, index) => issue(index));

    const error = new ValidationError(issues);

    expect(error.issues).toEqual(issues.slice(0, MAX_FIELD_ISSUES));
    expect(error.issueCount).toBe(MAX_FIELD_ISSUES + 3);
    expect(error.message).toMatch(/items\.19\.task: must not be empty; and 3 more$/);
  });

  it("says nothing of more when it kept every issue", () => {
    expect(new ValidationError([issue(0)]).message).toBe("Invalid input: items.0.task: must not be empty");
  });
});

describe("InvalidCursorError", () => {
  it("says the cursor is not valid, and nothing of why", () => {
    expect(new InvalidCursorError({ cause: new Error("bad signature") }).message).toBe(
      "The cursor is not valid.",
    );
  });
});

describe("the errors core exports", () => {
  const errorClasses = (Object.entries(core) as [string, unknown][]).filter(
    (entry): entry is [string, typeof AppError] =>
      typeof entry[1] === "function" && entry[1].prototype instanceof AppError,
  );

  it("are found", () => {
    expect(errorClasses.length).toBeGreaterThan(20);
  });

  // A Lambda bundle is minified: a name read off the class (`new.target.name`) was logged as "zi". A string is kept.
  it.each(errorClasses)("%s gives itself its name as a string, which minifying keeps", (name, Class) => {
    expect(Class.toString()).toMatch(new RegExp(`name[^=\\n]*=\\s*"${name}"`));
  });
});
