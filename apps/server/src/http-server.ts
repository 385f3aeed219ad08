import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import {
  type AppError,
  ExpectationFailedError,
  HeadersTooLargeError,
  type HttpApi,
  MalformedRequestError,
  NotImplementedError,
  type Reply,
  RequestAbortedError,
  RequestTimeoutError,
  requestIdFrom,
  standaloneErrorReply,
} from "@anycloud/core";
import type { Logger as PinoLogger } from "pino";
import { httpRequestOf } from "./node-request.js";

/** How long a request's headers may take to arrive (node's `headersTimeout`). */
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * What a request node could not read is answered: core's problem for node's reason (a header timeout 408,
 * headers too large 431), or 400 for anything else it could not parse, as node itself would answer.
 */
function clientErrorOf(code: string | undefined): AppError {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new RequestTimeoutError(
        HEADERS_TIMEOUT_MS,
        `The request's headers did not arrive within ${HEADERS_TIMEOUT_MS / 1000} s.`,
      );
    case "HPE_HEADER_OVERFLOW":
      return new HeadersTooLargeError();
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new MalformedRequestError("The body's chunk extensions are too long.");
    // The connection ended inside a message: no one is left to read the answer, which is written all the same.
    case "HPE_INVALID_EOF_STATE":
      return new RequestAbortedError();
    default:
      return new MalformedRequestError("The request is not valid HTTP/1.1.");
  }
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with PORT=0). */
  url: string;
  server: Server;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `timeoutMs`), then closes the rest and
   * waits (a few seconds at most) for their handlers to end.
   */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Serves core's API over node:http. The bridge is our own and small: core takes node's request as an
 * `HttpRequest` and answers a plain `Reply`, written with one `writeHead` and one `end`. No fetch `Request` or
 * `Response` is built; those two constructors cost more than the rest of a small request (see
 * bench/server-throughput.mjs). Each request is logged once, when its response has been sent.
 */
export async function startHttpServer(
  api: HttpApi,
  options: {
    port: number;
    host: string;
    logger: PinoLogger;
    /** How long a request body may send nothing while core waits for it (60 s unless said). */
    bodyIdleMs?: number;
  },
): Promise<RunningServer> {
  const { logger } = options;
  const bodyIdle = options.bodyIdleMs === undefined ? {} : { bodyIdleMs: options.bodyIdleMs };
  let closing = false;

  /**
   * `expectsContinue`: the client sent `Expect: 100-continue` and holds its body back until told to send it.
   * It is told only when core first reads the body, so that an upload refused on its headers alone (413 on
   * its Content-Length, 415 on its type) is never sent at all.
   */
  async function serve(
    message: IncomingMessage,
    response: ServerResponse,
    expectsContinue = false,
  ): Promise<void> {
    const started = performance.now();
    let reply: Reply | undefined;
    const { socket } = message;
    servingOn.set(socket, response);
    // Whether the client was let send its body: always, unless it waits for a 100 Continue never sent.
    let bodySent = !expectsContinue;
    // Aborted when the connection closes before the answer is sent (the client went, or a shutdown cut it):
    // core stops what it does for the request (an import of a body it had read whole). Made only when core
    // asks for the signal: only an import does, and an AbortController for every GET cost a few percent of
    // its time. A signal asked for after the request was given up comes aborted already.
    let givenUp: AbortController | undefined;
    let givenUpReason: RequestAbortedError | undefined;
    const givenUpSignal = () => {
      givenUp ??= new AbortController();
      if (givenUpReason !== undefined) givenUp.abort(givenUpReason);
      return givenUp.signal;
    };
    // Attached first, so that a client hanging up while core works still gets its line.
    response.once("close", () => {
      if (!response.writableFinished) {
        givenUpReason = new RequestAbortedError();
        givenUp?.abort(givenUpReason);
      }
      if (servingOn.get(socket) === response) servingOn.delete(socket);
      logger.info(
        {
          method: message.method,
          path: pathOf(message.url),
          // What node answered itself, when it cut the request short (408 after `requestTimeout`).
          status: reply?.status ?? answeredByNode.get(socket),
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          requestId: reply?.headers?.["x-request-id"],
          ...(!response.writableFinished && { aborted: true }),
        },
        "request",
      );
    });
    try {
      const sendContinue = () => {
        if (!bodySent && !response.headersSent) response.writeContinue();
        bodySent = true;
      };
      const refused = refusedByTheBridge(message);
      reply = refused
        ? standaloneErrorReply(refused, requestIdOf(message))
        : await api.handle(
            httpRequestOf(message, { onFirstRead: sendContinue, signal: givenUpSignal, ...bodyIdle }),
          );
    } catch (error) {
      // Core answers its own errors; this is the bridge failing: core's INTERNAL problem, which says nothing
      // of internals, with the headers every answer carries.
      const requestId = requestIdOf(message);
      logger.error({ error, requestId }, "request bridge failed");
      reply = standaloneErrorReply(error, requestId);
    }
    if (response.destroyed) return;
    // Only `set-cookie` may be an array; node writes each value as its own header line.
    const headers = { ...reply.headers } as OutgoingHttpHeaders;
    // An answer given before the body was read whole (413, 415...) leaves unread bytes on the connection,
    // and a server shutting down wants its connections back: tell the client not to reuse this one, rather
    // than let its next request meet a closing socket.
    const unread = !message.complete;
    if (closing || unread) headers.connection = "close";
    // A known length, rather than chunked encoding, which node picks when it is not told: the body is whole.
    if (reply.body !== undefined) headers["content-length"] = byteLengthOf(reply.body);
    else if (message.method !== "HEAD" && reply.status !== 204 && reply.status !== 304)
      headers["content-length"] = 0;
    try {
      response.writeHead(reply.status, headers);
      if (!unread || !bodySent) {
        response.end(reply.body);
        return;
      }
      // The client may still be sending what core refused: it reads the answer only if it is not reset while
      // it writes, so the rest is read and dropped (up to a cap) before the connection closes.
      if (reply.body !== undefined) response.write(reply.body);
      await discardRest(message);
      response.end();
    } catch (error) {
      // A reply node cannot write (a header value with a line break, from an API other than core's).
      logger.error({ error }, "writing the response failed");
      response.destroy();
    }
  }

  // The response being served on a socket (its request's own log line comes when it closes), and the status
  // node answered on a socket itself.
  const servingOn = new WeakMap<Socket, ServerResponse>();
  const answeredByNode = new WeakMap<Socket, number>();

  // Handlers still running: a shutdown waits for them after cutting their connections, so that what they
  // were doing (an import) is recorded and logged before the store closes.
  const inFlight = new Set<Promise<void>>();
  const serveSafely = (message: IncomingMessage, response: ServerResponse, expectsContinue = false) => {
    const handling = serve(message, response, expectsContinue)
      .catch((error: unknown) => {
        logger.error({ error }, "request bridge failed");
        response.destroy();
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  };
  // Node checks its header timeout every `connectionsCheckingInterval` (30 s by default): every 5 s, a
  // request's headers are cut 10-15 s after it starts, as the README says, not up to 40 s.
  // Without a Host, node answers 400 itself, bare; the bridge answers it as core's problem instead.
  // `joinDuplicateHeaders`: a header sent twice reads as both values joined, as fetch and Lambda read it.
  // Node otherwise keeps the first Content-Type (or Host) and drops the second, which a proxy in front
  // may take instead: the two would see different requests.
  const server = createServer(
    { connectionsCheckingInterval: 5_000, requireHostHeader: false, joinDuplicateHeaders: true },
    (message, response) => serveSafely(message, response),
  );
  server.on("checkContinue", (message, response) => serveSafely(message, response, true));
  // What node does by default for a request it cannot read or that took too long (answer, then close), and a
  // log line saying so: a request node refuses never reaches a handler, and would otherwise leave no trace.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // Node's own rule: answer unless the response being served has sent its headers (on a reused keep-alive
    // connection, bytes were written before, and the bad request still deserves its answer).
    const serving = servingOn.get(socket);
    if (serving && !serving.writableFinished && (serving.req.complete || serving.headersSent)) {
      // The request being served was read whole, and the bytes node could not parse came after it; or its answer
      // is under way already (a 501 to a body node then fails to frame). That answer goes out first, where node's
      // own handler would write a 400 over it or cut it off, then the connection closes.
      serving.shouldKeepAlive = false;
      serving.once("close", () => socket.destroy());
      logger.info({ error: error.code }, "unreadable bytes after a request: closing once it is answered");
      return;
    }
    const answering = socket.writable && !serving?.headersSent && error.code !== "ECONNRESET";
    if (answering) {
      // The request was not read: its id is a new one.
      const requestId = requestIdFrom();
      const reply = standaloneErrorReply(clientErrorOf(error.code), requestId);
      answeredByNode.set(socket, reply.status);
      socket.write(rawResponseOf(reply));
      if (serving === undefined)
        logger.info({ status: reply.status, error: error.code, requestId }, "request");
    }
    socket.destroy(error);
  });
  // Requests node would answer or drop without a handler: answered here, so that each leaves its log line.
  server.on("checkExpectation", (message, response) => {
    const requestId = requestIdOf(message);
    const reply = standaloneErrorReply(new ExpectationFailedError(), requestId);
    response.writeHead(reply.status, { ...replyHeaders(reply), connection: "close" }).end(reply.body);
    logger.info(
      { method: message.method, path: pathOf(message.url), status: reply.status, requestId },
      "request",
    );
  });
  server.on("connect", (message: IncomingMessage, socket: Socket) => {
    const requestId = requestIdOf(message);
    const reply = standaloneErrorReply(
      new NotImplementedError("CONNECT is for proxies; this server is none."),
      requestId,
    );
    // Node hands the socket over and forgets it: closed here, not only ended, or a client keeping its side
    // open would hold a shutdown for ever.
    socket.end(rawResponseOf(reply), () => socket.destroy());
    logger.info({ method: message.method, status: reply.status, requestId }, "request");
  });
  // Slow-client guards: the headers must arrive within 10 s, and a body must not pause for 60 s while it is read
  // (`bodyIdleMs`, in node-request.ts). No limit on the whole request: an upload is read only as fast as its
  // import writes, and node's `requestTimeout` cut every upload that took more than 60-90 s, however steadily
  // it came.
  server.requestTimeout = 0;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    close: async (timeoutMs = 10_000) => {
      await new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      // Handlers whose connections were cut see their request aborted and end soon; a bounded wait for them
      // (an unref'd timer, which keeps nobody waiting once they are done).
      await Promise.race([Promise.allSettled(inFlight), delay(HANDLERS_GRACE_MS, undefined, { ref: false })]);
    },
  };
}

/**
 * 501 for a body in a transfer coding other than chunked (`gzip, chunked`): node takes the chunks off and
 * leaves the rest, so core would read gzip bytes as CSV (RFC 9112 §6.1: a coding the server does not
 * understand is answered 501).
 */
function refusedByTheBridge(message: IncomingMessage): AppError | undefined {
  // RFC 9112 §3.2: a request without Host (in HTTP/1.1), with two Host lines, or with a Host that is no
  // host and port is answered 400. Two lines arrive joined with ", ", which no host is.
  const host = message.headers.host;
  if (message.httpVersion === "1.1" && host === undefined) {
    return new MalformedRequestError("An HTTP/1.1 request must name its Host.");
  }
  if (host !== undefined && !HOST_FIELD.test(host)) {
    return new MalformedRequestError(
      "The Host header must be one host name or address, with an optional port.",
    );
  }
  return unsupportedTransferCoding(message);
}

/**
 * A Host field value (RFC 9112 §3.2): `uri-host [":" port]` in RFC 3986's terms — an IP literal in brackets,
 * or a reg-name (unreserved characters, sub-delims, percent-escapes; possibly empty) — and a port of digits.
 */
const HOST_FIELD = /^(?:\[[\w.:~!$&'()*+,;=-]+\]|(?:[\w.~!$&'()*+,;=-]|%[\dA-Fa-f]{2})*)(?::\d*)?$/;

function unsupportedTransferCoding(message: IncomingMessage): AppError | undefined {
  const coding = message.headers["transfer-encoding"];
  if (coding === undefined || coding.trim().toLowerCase() === "chunked") return undefined;
  return new NotImplementedError(
    `A body in Transfer-Encoding "${coding}" is not read: send it chunked, or with a Content-Length.`,
  );
}

/** The caller's `x-request-id` when well-formed, else a new one: as core picks it. */
function requestIdOf(message: IncomingMessage): string {
  const incoming = message.headers["x-request-id"];
  return requestIdFrom(typeof incoming === "string" ? incoming : undefined);
}

/** A complete reply's headers as node writes them, with the body's length. */
function replyHeaders(reply: Reply): OutgoingHttpHeaders {
  return { ...reply.headers, "content-length": reply.body === undefined ? 0 : byteLengthOf(reply.body) };
}

/** A complete reply as HTTP/1.1 bytes, for a socket node no longer serves; the connection then closes. */
function rawResponseOf(reply: Reply): Buffer {
  const lines = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}`];
  for (const [name, value] of Object.entries(replyHeaders(reply))) lines.push(`${name}: ${value}`);
  lines.push("connection: close", "", "");
  const head = Buffer.from(lines.join("\r\n"), "latin1");
  return reply.body === undefined ? head : Buffer.concat([head, Buffer.from(reply.body)]);
}

/** How long a shutdown waits, once connections are closed, for their handlers to finish. */
const HANDLERS_GRACE_MS = 5_000;

/** What is left of a refused body is read and dropped up to this many bytes, or for this long. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 2_000;

/** Reads what is left of a request body and drops it: until its end, the cap, or the connection's close. */
function discardRest(message: IncomingMessage): Promise<void> {
  if (message.readableEnded || message.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let received = 0;
    const done = () => {
      clearTimeout(timer);
      message.off("data", onData);
      message.off("end", done);
      message.off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > DISCARD_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DISCARD_MAX_MS);
    message.on("data", onData);
    message.once("end", done);
    message.once("close", done);
    message.resume();
  });
}

/**
 * The path of a request target, without its query (which may carry a cursor not worth logging), nor the
 * scheme, host and user of an absolute-form target (`http://alice:secret@host/hello` is logged `/hello`).
 */
function pathOf(target = "/"): string {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  if (path.startsWith("/") || path === "*") return path;
  return URL.canParse(path) ? new URL(path).pathname : "(not a URL)";
}

function byteLengthOf(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
}
