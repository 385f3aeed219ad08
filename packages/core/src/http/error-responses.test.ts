import { describe, expect, it } from "vitest";
import { documentedProblemCodes } from "../../../../test/support/documented-problems.js";
import { ImportInProgressError, ImportLeaseLostError } from "../csv-import/errors.js";
import { AppError, StoreUnavailableError, ValidationError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { TodoNotFoundError } from "../todos/errors.js";
import { errorReply, STATUS_BY_CODE, standaloneErrorReply } from "./error-responses.js";
import {
  ExpectationFailedError,
  HeadersTooLargeError,
  InvalidParameterError,
  MethodNotAllowedError,
  NotImplementedError,
  ServerBusyError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from "./http-errors.js";
import { BASE_HEADERS, toResponse } from "./responses.js";

function recordingLogger() {
  const errors: [string, Record<string, unknown> | undefined][] = [];
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const ignore = () => {};
  const logger: Logger = {
    debug: ignore,
    info: ignore,
    warn: (message, fields) => warnings.push([message, fields]),
    error: (message, fields) => errors.push([message, fields]),
  };
  return { logger, errors, warnings };
}

/** An error of core's with any code, as a feature would declare one. */
class CodedError extends AppError {
  constructor(
    readonly code: string,
    message = "What the caller did.",
  ) {
    super(message);
  }
}

const problemOf = (reply: { body?: string | Uint8Array }) => JSON.parse(String(reply.body));

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

  it("names each problem's type after its code, and titles it with its status's reason phrase", () => {
    const reasons: Record<number, string> = {
      400: "Bad Request",
      404: "Not Found",
      405: "Method Not Allowed",
      408: "Request Timeout",
      409: "Conflict",
      412: "Precondition Failed",
      413: "Content Too Large",
      415: "Unsupported Media Type",
      417: "Expectation Failed",
      422: "Unprocessable Content",
      431: "Request Header Fields Too Large",
      500: "Internal Server Error",
      501: "Not Implemented",
      503: "Service Unavailable",
    };
    const { logger } = recordingLogger();

    for (const [code, status] of [...Object.entries(STATUS_BY_CODE), ["INTERNAL", 500] as const]) {
      const problem = problemOf(errorReply(new CodedError(code), "r", logger));
      expect(problem, code).toMatchObject({
        type: `urn:anycloud:problem:${code.toLowerCase().replaceAll("_", "-")}`,
        title: reasons[status],
        status,
        code,
      });
    }
    expect(problemOf(errorReply(new TodoNotFoundError("abc"), "r", logger)).type).toBe(
      "urn:anycloud:problem:todo-not-found",
    );
  });

  it("answers an error whose code the table lacks as a 500 INTERNAL, and logs it with its code", () => {
    const { logger, errors } = recordingLogger();

    const reply = errorReply(
      new CodedError("SOMETHING_NEW", "the queue at 10.0.0.7 is full"),
      "req-3",
      logger,
    );

    expect(reply.status).toBe(500);
    expect(problemOf(reply)).toMatchObject({
      code: "INTERNAL",
      type: "urn:anycloud:problem:internal",
      detail: "The server failed to complete the request.",
    });
    expect(reply.body).not.toContain("10.0.0.7");
    expect(errors).toEqual([
      [
        "request failed",
        {
          requestId: "req-3",
          code: "SOMETHING_NEW",
          error: expect.objectContaining({ name: "CodedError", message: "the queue at 10.0.0.7 is full" }),
        },
      ],
    ]);
  });

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "answers an error coded %s, a name every object inherits, as a 500 INTERNAL",
    (code) => {
      const reply = errorReply(new CodedError(code), "r", recordingLogger().logger);

      expect(reply.status).toBe(500);
      expect(problemOf(reply)).toMatchObject({ status: 500, code: "INTERNAL" });
    },
  );

  it("names the refused query parameter or header of an INVALID_PARAMETER", () => {
    const reply = errorReply(
      new InvalidParameterError("limit", "limit must be..."),
      "r",
      recordingLogger().logger,
    );

    expect(problemOf(reply)).toMatchObject({ status: 400, code: "INVALID_PARAMETER", parameter: "limit" });
    expect(
      problemOf(errorReply(new TodoNotFoundError("abc"), "r", recordingLogger().logger)),
    ).not.toHaveProperty("parameter");
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
    expect(await response.json()).toMatchObject({
      errors: [{ path: ["task"], message: "is required" }],
      errorsTruncated: false,
    });
  });

  it("says that a validation error's issues were cut short (errorsTruncated)", () => {
    const error = new ValidationError([{ path: ["f0"], message: "is not a known field" }], {
      issueCount: 25,
    });

    expect(problemOf(errorReply(error, "r", recordingLogger().logger))).toMatchObject({
      errors: [{ path: ["f0"], message: "is not a known field" }],
      errorsTruncated: true,
    });
  });

  it("refuses a busy server's request with 503, Retry-After and its reason, logged as a warning, not a failure", () => {
    const { logger, errors, warnings } = recordingLogger();
    const error = new ServerBusyError(5, "The server imports as many uploads as it may.");

    const reply = errorReply(error, "req-4", logger);

    expect(reply).toMatchObject({ status: 503, headers: { "retry-after": "5" } });
    expect(problemOf(reply)).toMatchObject({
      code: "SERVER_BUSY",
      detail: "The server imports as many uploads as it may.",
    });
    expect(warnings).toEqual([
      [
        "request refused: the server is busy",
        { requestId: "req-4", code: "SERVER_BUSY", reason: "The server imports as many uploads as it may." },
      ],
    ]);
    expect(errors).toEqual([]);
  });

  it("adds Allow, Accept-Encoding and Accept-Patch to the answers they belong to, and to no other", () => {
    const headersOf = (error: unknown) => errorReply(error, "r", recordingLogger().logger).headers;
    const problem = { "content-type": "application/problem+json" };

    expect(headersOf(new MethodNotAllowedError(["GET", "PATCH"]))).toEqual({
      ...problem,
      allow: "GET, PATCH",
    });
    expect(headersOf(new UnsupportedContentEncodingError("gzip"))).toEqual({
      ...problem,
      "accept-encoding": "identity",
    });
    expect(
      headersOf(new UnsupportedMediaTypeError("JSON", ["application/json", "application/merge-patch+json"])),
    ).toEqual({ ...problem, "accept-patch": "application/json, application/merge-patch+json" });
    expect(headersOf(new UnsupportedMediaTypeError("text/csv (or application/csv)"))).toEqual(problem);
    expect(headersOf(new TodoNotFoundError("abc"))).toEqual(problem);
    expect(headersOf(new Error("a bug"))).toEqual(problem);
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
    expect(JSON.parse(text)).toMatchObject({
      code: "INTERNAL",
      status: 500,
      detail: "The server failed to complete the request.",
    });
    expect(errors).toEqual([
      ["request failed", expect.objectContaining({ requestId: "req-9", code: "INTERNAL" })],
    ]);
    expect(JSON.stringify(errors[0])).toContain("hunter2");
  });

  it.each([undefined, null, "boom", 42])(
    "answers a thrown value that is no Error (%j) with a generic 500, and logs the value",
    (thrown) => {
      const { logger, errors } = recordingLogger();

      const reply = errorReply(thrown, "req-10", logger);

      expect(reply.status).toBe(500);
      expect(problemOf(reply)).toMatchObject({ code: "INTERNAL" });
      expect(errors).toEqual([
        ["request failed", { requestId: "req-10", code: "INTERNAL", error: { value: String(thrown) } }],
      ]);
    },
  );

  it("logs what a 5xx was caused by, and nothing of a cause it does not have", () => {
    const { logger, errors } = recordingLogger();
    const cause = new Error("SQLITE_BUSY: database is locked");

    errorReply(new StoreUnavailableError("The store did not answer.", { cause }), "r", logger);
    errorReply(new StoreUnavailableError("The store did not answer."), "r", logger);

    expect(errors.map(([, fields]) => fields?.error)).toEqual([
      expect.objectContaining({
        name: "StoreUnavailableError",
        cause: { name: "Error", message: "SQLITE_BUSY: database is locked", stack: cause.stack },
      }),
      expect.not.objectContaining({ cause: expect.anything() }),
    ]);
  });

  it("answers a store failure with 503 and hides its cause", async () => {
    const error = new StoreUnavailableError("SQLITE_BUSY: database is locked at /srv/data/todos.db");

    const response = toResponse(errorReply(error, "r", recordingLogger().logger));

    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).not.toContain("/srv/data");
    expect(JSON.parse(text)).toMatchObject({
      code: "STORE_UNAVAILABLE",
      detail: "The service is temporarily unable to complete the request; try again later.",
    });
  });
});

describe("standaloneErrorReply", () => {
  it("gives a runtime's own error answer the headers every answer carries and the request id", () => {
    const reply = standaloneErrorReply(new HeadersTooLargeError(), "req-11");

    expect(reply.status).toBe(431);
    expect(reply.headers).toEqual({
      ...BASE_HEADERS,
      "content-type": "application/problem+json",
      "x-request-id": "req-11",
    });
    expect(problemOf(reply)).toMatchObject({ code: "HEADERS_TOO_LARGE", requestId: "req-11" });
  });
});
