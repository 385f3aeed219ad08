import { describe, expect, it } from "vitest";
import {
  ExpectationFailedError,
  HeadersTooLargeError,
  MethodNotAllowedError,
  RequestAbortedError,
  RequestTimeoutError,
  RouteNotFoundError,
  ServerBusyError,
  TimeLimitReachedError,
  UnsupportedContentEncodingError,
} from "./http-errors.js";

// What each error says is what a caller reads as the problem's `detail` (under 500), or an operator in the log.
// Each is made in its own test, not in the table, so that a mutation test sees the constructor run in the test.
describe("the HTTP layer's errors", () => {
  it.each([
    [() => new RouteNotFoundError("/nowhere"), "ROUTE_NOT_FOUND", "No route matches this path."],
    [() => new MethodNotAllowedError(["GET", "POST"]), "METHOD_NOT_ALLOWED", "This route accepts GET, POST."],
    [
      () => new UnsupportedContentEncodingError("gzip"),
      "UNSUPPORTED_MEDIA_TYPE",
      "The body must not be encoded (Content-Encoding: gzip); send it as it is.",
    ],
    [
      () => new RequestAbortedError(),
      "REQUEST_ABORTED",
      "The client closed the connection before the body arrived whole.",
    ],
    [
      () => new TimeLimitReachedError(2500),
      "TIME_LIMIT_REACHED",
      "The request was stopped 2.5 s before the runtime's time limit, unfinished.",
    ],
    [
      () => new RequestTimeoutError(30_000),
      "REQUEST_TIMEOUT",
      "The body stopped arriving: nothing came for 30 s.",
    ],
    [() => new HeadersTooLargeError(), "HEADERS_TOO_LARGE", "The request's headers are too large."],
    [
      () => new ExpectationFailedError(),
      "EXPECTATION_FAILED",
      'The only expectation met is "Expect: 100-continue".',
    ],
    [
      () => new ServerBusyError(5),
      "SERVER_BUSY",
      "The server is reading as many request bodies as it can hold; send the request again in 5 s.",
    ],
  ])("%s makes an error with its code and what it says", (make, code, message) => {
    const error = make();

    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("keeps a request abort's own message and cause", () => {
    const cause = new Error("socket hang up");

    expect(new RequestAbortedError("Gone.", { cause })).toMatchObject({ message: "Gone.", cause });
  });
});
