import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  type HttpApi,
  type Reply,
  RequestAbortedError,
  requestIdFrom,
  standaloneErrorReply,
} from "@anycloud/core";
import type { Logger as PinoLogger } from "pino";
import { refusedByTheBridge } from "./bridge-refusals.js";
import { discardRest } from "./discard-rest.js";
import { httpRequestOf, type NodeRequestOptions } from "./node-request.js";
import { byteLengthOf } from "./raw-response.js";

/** What the server knows of its connections, shared by the bridge and the server's own handlers. */
export interface Connections {
  /** The response being served on a socket (its request's own log line comes when it closes). */
  servingOn: WeakMap<Socket, ServerResponse>;
  /** What the server answered on a socket for a request node could not read whole: its status and request id. */
  answeredByNode: WeakMap<Socket, { status: number; requestId: string }>;
  /** Set when a shutdown starts: every answer from then on closes its connection. */
  closing: boolean;
  /** Set when the shutdown's time is up and it closes the connections still open: their requests end by it. */
  cutOff: boolean;
}

/** What every request's bridge is given by the server, built once when it starts. */
export interface BridgeContext {
  api: HttpApi;
  logger: PinoLogger;
  connections: Connections;
  /**
   * How long a request body may send nothing while core waits for it (60 s unless said), and the bytes a second
   * it must average while waited for past that (500 unless said).
   */
  bodyPace: Pick<NodeRequestOptions, "bodyIdleMs" | "bodyMinRate">;
}

/**
 * Answers one request with core's API, and logs it once its response is sent or given up.
 *
 * `expectsContinue`: the client sent `Expect: 100-continue` and holds its body back until told to send it.
 * It is told only when core first reads the body, so that an upload refused on its headers alone (413 on
 * its Content-Length, 415 on its type) is never sent at all.
 */
export async function serveRequest(
  message: IncomingMessage,
  response: ServerResponse,
  { api, logger, connections, bodyPace }: BridgeContext,
  expectsContinue = false,
): Promise<void> {
  const { servingOn, answeredByNode } = connections;
  const started = performance.now();
  let reply: Reply | undefined;
  const { socket } = message;
  servingOn.set(socket, response);
  // Whether the client was let send its body: always, unless it waits for a 100 Continue never sent.
  let bodySent = !expectsContinue;
  const givenUp = new GivenUpSignal();
  // The id core answers with (the caller's when well-formed, else this one, given to core): the line names it also
  // for a request that got no answer (the client went, a shutdown cut it), as core's own lines for it do.
  const requestId = requestIdOf(message);
  let logged = false;
  const logLine = () => {
    if (logged) return;
    logged = true;
    logger.info(
      {
        method: message.method,
        path: pathOf(message.url),
        // What was answered for node, when it cut the request short (a body broken off), and the id it carried.
        status: reply?.status ?? answeredByNode.get(socket)?.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        // The id answered; with no answer, the one core was given.
        requestId: reply
          ? reply.headers?.["x-request-id"]
          : (answeredByNode.get(socket)?.requestId ?? requestId),
        ...(!response.writableFinished && { aborted: true }),
      },
      "request",
    );
  };
  // Attached first, so that a client hanging up while core works still gets its line.
  response.once("close", () => {
    if (!response.writableFinished) givenUp.abort(connections.cutOff);
    if (servingOn.get(socket) === response) servingOn.delete(socket);
    logLine();
  });
  // Checked before any await when the request is not pipelined: the rest of its handling stays in the tick node
  // parsed it in, as the 501 for a body node cannot frame needs (sent before node reads the bytes it fails on).
  if (response.socket === null && !(await itsTurn(message, response))) {
    // The connection closed while the request waited behind another: node never gives its response the
    // connection, nor closes it, so its line is written here (it was not answered).
    logLine();
    return;
  }
  try {
    const sendContinue = () => {
      if (!bodySent && !response.headersSent) response.writeContinue();
      bodySent = true;
    };
    const refused = refusedByTheBridge(message);
    reply = refused
      ? standaloneErrorReply(refused, requestId)
      : await api.handle(
          httpRequestOf(message, {
            requestId,
            onFirstRead: sendContinue,
            signal: givenUp.signal,
            ...bodyPace,
          }),
        );
  } catch (error) {
    // Core answers its own errors; this is the bridge failing: core's INTERNAL problem, which says nothing
    // of internals, with the headers every answer carries.
    logger.error({ error, requestId }, "request bridge failed");
    reply = standaloneErrorReply(error, requestId);
  }
  if (response.destroyed) return;
  // An answer given before the body was read whole (413, 415...) leaves unread bytes on the connection,
  // and a server shutting down wants its connections back: tell the client not to reuse this one, rather
  // than let its next request meet a closing socket.
  const unread = !message.complete;
  const headers = headersToWrite(reply, message.method, connections.closing || unread);
  try {
    response.writeHead(reply.status, headers);
    if (!unread) {
      response.end(reply.body);
      return;
    }
    // The client may still be sending what core refused: it reads the answer only if it is not reset while
    // it writes, so the rest is read and dropped (up to a cap) before the connection closes. So too when it
    // was not told to continue: it may send its body without waiting (RFC 9110 §10.1.1), and one that waits
    // closes its side on reading the answer, which ends the discarding.
    if (reply.body !== undefined) response.write(reply.body);
    await discardRest(message);
    response.end();
  } catch (error) {
    // A reply node cannot write (a header value with a line break, from an API other than core's).
    logger.error({ error }, "writing the response failed");
    response.destroy();
  }
}

/**
 * Whether the turn of a request pipelined behind one still being answered on its connection came: when node hands
 * its response the connection, once the answers before it were written (false if the connection closed first).
 * Node reads on while a pipelined request waits, and stops only when the answers it holds pass the socket's
 * buffer: handled at once, the requests of one 64 KiB read made as many answers held in memory together, for a
 * client that read none of them (5,000 `GET /todo/list` of 190 KB each took the server from 98 MB to 870 MB).
 * Handled in turn, a connection holds one answer not yet sent, as one that does not pipeline does.
 */
async function itsTurn(message: IncomingMessage, response: ServerResponse): Promise<boolean> {
  if (message.destroyed) return false;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off("socket", done);
      message.off("close", done);
      resolve();
    };
    response.once("socket", done);
    message.once("close", done);
  });
  return response.socket !== null;
}

/**
 * The signal aborted when a request is given up: its connection closed before the answer was sent (the client
 * went, or a shutdown cut it), and core stops what it does for it (an import of a body it had read whole).
 * Made only when core asks for it: only an import does, and an AbortController for every GET cost a few
 * percent of its time. A signal asked for after the request was given up comes aborted already.
 */
class GivenUpSignal {
  private controller: AbortController | undefined;
  private reason: RequestAbortedError | undefined;

  /** The signal, made on the first call. */
  readonly signal = (): AbortSignal => {
    this.controller ??= new AbortController();
    if (this.reason !== undefined) this.controller.abort(this.reason);
    return this.controller.signal;
  };

  /** Gives the request up; its reason, logged with an import it stops, says whose doing it was. */
  abort(byShutdown: boolean): void {
    this.reason = new RequestAbortedError(
      byShutdown
        ? "The server's shutdown closed the connection before the answer was sent."
        : "The client closed the connection before the answer was sent.",
    );
    this.controller?.abort(this.reason);
  }
}

/** The reply's headers as node is to write them: with the body's length, and `connection: close` if `close`. */
function headersToWrite(reply: Reply, method: string | undefined, close: boolean): OutgoingHttpHeaders {
  // Only `set-cookie` may be an array; node writes each value as its own header line.
  const headers = { ...reply.headers } as OutgoingHttpHeaders;
  if (close) headers.connection = "close";
  // A known length, rather than chunked encoding, which node picks when it is not told: the body is whole.
  if (reply.body !== undefined) headers["content-length"] = byteLengthOf(reply.body);
  else if (method !== "HEAD" && reply.status !== 204 && reply.status !== 304) headers["content-length"] = 0;
  return headers;
}

/** The caller's `x-request-id` when well-formed, else a new one: as core picks it. */
export function requestIdOf(message: IncomingMessage): string {
  const incoming = message.headers["x-request-id"];
  return requestIdFrom(typeof incoming === "string" ? incoming : undefined);
}

/**
 * The path of a request target, without its query (which may carry a cursor not worth logging), nor the
 * scheme, host and user of an absolute-form target (`http://alice:secret@host/hello` is logged `/hello`).
 */
export function pathOf(target = "/"): string {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  if (path.startsWith("/") || path === "*") return path;
  return URL.canParse(path) ? new URL(path).pathname : "(not a URL)";
}
