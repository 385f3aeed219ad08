import { describe, expect, it } from "vitest";
import { documentedProblemCodes } from "../../../../test/support/documented-problems.js";
import { ImportInProgressError, ImportLeaseLostError } from "../csv-import/errors.js";
import { AppError, StoreUnavailableError, ValidationError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { TodoNotFoundError } from "../todos/errors.js";
import { errorReply, STATUS_BY_CODE } from "./error-responses.js";
import { ExpectationFailedError, HeadersTooLargeError, NotImplementedError } from "./http-errors.js";
import { toResponse } from "./responses.js";

function recordingLogger() {
  const errors: [string, Record<string, unknown> | undefined][] = [];
  const ignore = () => {};
  const logger: Logger = {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message, fields) => errors.push([message, fields]),
  };
  return { logger, errors };
}

describe("errorReply", () => {
  it("answers each code with the status the README's error table gives it, and the table lists every code", () => {
    const documented = Object.entries(documentedProblemCodes()).flatMap(([status, codes]) =>
      codes.map((code) => [code, Number(status)] as const),
    );

    // INTERNAL is no entry: it is what any error without one becomes.
    expect(documented.filter(([code]) => code !== "INTERNAL").sort()).toEqual(
      Object.entries(STATUS_BY_CODE).sort(),
    );
    expect(documented).toContainEqual(["INTERNAL", 500]);
  });

  it("exposes the message of a 4xx with its code", async () => {
    const { logger, errors } = recordingLogger();

    const response = toResponse(errorReply(new TodoNotFoundError("abc"), "req-1", logger));

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      code: "TODO_NOT_FOUND",
      detail: "Todo abc was not found.",
      requestId: "req-1",
    });
    expect(errors).toEqual([]);
  });

  it("maps a platform adapter's MALFORMED_EVENT to 400, from the same table", async () => {
    class MalformedEventError extends AppError {
      readonly code = "MALFORMED_EVENT";
    }
    const { logger, errors } = recordingLogger();

    const reply = errorReply(new MalformedEventError("The event has no HTTP method."), "r", logger);

    expect(reply.status).toBe(400);
    expect(JSON.parse(String(reply.body))).toMatchObject({
      code: "MALFORMED_EVENT",
      detail: "The event has no HTTP method.",
    });
    expect(errors).toEqual([]);
  });

  it("adds the field issues of a validation error", async () => {
    const response = toResponse(
      errorReply(
        new ValidationError([{ path: ["task"], message: "is required" }]),
        "r",
        recordingLogger().logger,
      ),
    );

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ path: ["task"], message: "is required" }] });
  });

  it.each([
    ["IMPORT_IN_PROGRESS", new ImportInProgressError("uploads/todos.csv@v1", "2030-01-01T00:01:00.000Z")],
    ["IMPORT_LEASE_LOST", new ImportLeaseLostError("uploads/todos.csv@v1", 1)],
  ])("answers %s with 409 and the import's id", async (code, error) => {
    const response = toResponse(errorReply(error, "r", recordingLogger().logger));

    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code, importId: "uploads/todos.csv@v1" });
  });

  it("tells the caller what a 501 does not do, without logging it as a failure", async () => {
    const { logger, errors } = recordingLogger();

    const response = toResponse(
      errorReply(new NotImplementedError("CONNECT is not served."), "req-5", logger),
    );

    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({
      title: "Not Implemented",
      code: "NOT_IMPLEMENTED",
      detail: "CONNECT is not served.",
    });
    expect(errors).toEqual([]);
  });

  it("maps what a runtime refuses before core reads a request (417, 431) from the same table", async () => {
    const { logger } = recordingLogger();

    const expectation = errorReply(new ExpectationFailedError(), "req-6", logger);
    const headers = errorReply(new HeadersTooLargeError(), "req-7", logger);

    expect([expectation.status, headers.status]).toEqual([417, 431]);
    expect(JSON.parse(String(headers.body))).toMatchObject({
      code: "HEADERS_TOO_LARGE",
      title: "Request Header Fields Too Large",
    });
  });

  it("answers an unknown error with a generic 500 and logs it", async () => {
    const { logger, errors } = recordingLogger();
    const secret = new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2");

    const response = toResponse(errorReply(secret, "req-9", logger));

    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7|stack/);
    expect(JSON.parse(text)).toMatchObject({ code: "INTERNAL", status: 500 });
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain("hunter2");
  });

  it("answers a store failure with 503 and hides its cause", async () => {
    const error = new StoreUnavailableError("SQLITE_BUSY: database is locked at /srv/data/todos.db");

    const response = toResponse(errorReply(error, "r", recordingLogger().logger));

    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain("/srv/data");
  });
});
