import { AppError } from "../shared/errors.js";

/** Errors of the HTTP layer itself: the request's shape, not the domain's rules. */

export class RouteNotFoundError extends AppError {
  override readonly name: string = "RouteNotFoundError";
  readonly code = "ROUTE_NOT_FOUND";

  constructor(readonly path: string) {
    super("No route matches this path.");
  }
}

export class MethodNotAllowedError extends AppError {
  override readonly name: string = "MethodNotAllowedError";
  readonly code = "METHOD_NOT_ALLOWED";

  constructor(readonly allow: readonly string[]) {
    super(`This route accepts ${allow.join(", ")}.`);
  }
}

export class MalformedJsonError extends AppError {
  override readonly name: string = "MalformedJsonError";
  readonly code = "MALFORMED_JSON";
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly name: string = "UnsupportedMediaTypeError";
  readonly code = "UNSUPPORTED_MEDIA_TYPE";

  /**
   * `expected`: what the body must be, as the answer says it: a media type, or its charset. `acceptPatch`: for a
   * PATCH, the patch formats the route takes, which RFC 5789 §2.2 has the 415 list in `Accept-Patch`.
   */
  constructor(
    readonly expected: string,
    readonly acceptPatch?: readonly string[],
  ) {
    super(`The body must be ${expected}.`);
  }
}

/** A body sent compressed (`Content-Encoding: gzip`...): only `identity` is read (415, `Accept-Encoding`). */
export class UnsupportedContentEncodingError extends AppError {
  override readonly name: string = "UnsupportedContentEncodingError";
  readonly code = "UNSUPPORTED_MEDIA_TYPE";

  constructor(readonly encoding: string) {
    super(`The body must not be encoded (Content-Encoding: ${encoding}); send it as it is.`);
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name: string = "PayloadTooLargeError";
  readonly code = "PAYLOAD_TOO_LARGE";

  constructor(readonly limitBytes: number) {
    super(`The body must not exceed ${limitBytes} bytes.`);
  }
}

/** A request target that is not a URL this API can serve (`OPTIONS *`, a malformed absolute-form target). */
export class MalformedRequestError extends AppError {
  override readonly name: string = "MalformedRequestError";
  readonly code = "MALFORMED_REQUEST";
}

/**
 * The client went away before its body arrived whole. Nobody is left to read the answer; the error only
 * keeps a client's hang-up from being logged as the server's failure.
 */
export class RequestAbortedError extends AppError {
  override readonly name: string = "RequestAbortedError";
  readonly code = "REQUEST_ABORTED";

  constructor(
    message = "The client closed the connection before the body arrived whole.",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The runtime's time limit for the request is close (a Lambda function's timeout): the work stops while there is
 * time left to record it and answer, rather than be cut off mid-write. An import stopped so is recorded FAILED,
 * and the same upload sent again with its `Idempotency-Key` finishes it.
 */
export class TimeLimitReachedError extends AppError {
  override readonly name: string = "TimeLimitReachedError";
  readonly code = "TIME_LIMIT_REACHED";

  constructor(limitMs: number) {
    super(`The request was stopped ${limitMs / 1000} s before the runtime's time limit, unfinished.`);
  }
}

/**
 * A request that stopped arriving: its body sent nothing for `idleMs` (or, with a message, its headers took too
 * long, or its body came too slowly).
 */
export class RequestTimeoutError extends AppError {
  override readonly name: string = "RequestTimeoutError";
  readonly code = "REQUEST_TIMEOUT";

  constructor(idleMs: number, message = `The body stopped arriving: nothing came for ${idleMs / 1000} s.`) {
    super(message);
  }
}

/** Request headers over what the runtime reads (node's 16 KiB): 431. */
export class HeadersTooLargeError extends AppError {
  override readonly name: string = "HeadersTooLargeError";
  readonly code = "HEADERS_TOO_LARGE";

  constructor() {
    super("The request's headers are too large.");
  }
}

/** An `Expect` other than `100-continue`, which is the only expectation HTTP defines (RFC 9110 §10.1.1): 417. */
export class ExpectationFailedError extends AppError {
  override readonly name: string = "ExpectationFailedError";
  readonly code = "EXPECTATION_FAILED";

  constructor() {
    super('The only expectation met is "Expect: 100-continue".');
  }
}

/**
 * What the server does not do at all, whatever the route: a transfer coding other than chunked (RFC 9112 §6.1),
 * CONNECT (this is no proxy). 501, and the message is the caller's to read: it says nothing of internals.
 */
export class NotImplementedError extends AppError {
  override readonly name: string = "NotImplementedError";
  readonly code = "NOT_IMPLEMENTED";
}

/** A query parameter or header that cannot be read (`limit=abc`, `If-Match: nope`). */
export class InvalidParameterError extends AppError {
  override readonly name: string = "InvalidParameterError";
  readonly code = "INVALID_PARAMETER";

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The server holds as many request bodies as it may (see `BodyMemory`), or runs as many imports (see
 * `ImportSlots`): 503, with `Retry-After`. The caller's to read: the request was fine, and may be sent again.
 */
export class ServerBusyError extends AppError {
  override readonly name: string = "ServerBusyError";
  readonly code = "SERVER_BUSY";

  constructor(
    readonly retryAfterSeconds: number,
    message = `The server is reading as many request bodies as it can hold; send the request again in ${retryAfterSeconds} s.`,
  ) {
    super(message);
  }
}
