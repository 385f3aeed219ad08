import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import {
  ExpectationFailedError,
  type HttpApi,
  NotImplementedError,
  requestIdFrom,
  standaloneErrorReply,
} from "@anycloud/core";
import type { Logger as PinoLogger } from "pino";
import { clientErrorOf, HEADERS_TIMEOUT_MS } from "./bridge-refusals.js";
import { rawResponseOf, replyHeaders } from "./raw-response.js";
import { type BridgeContext, type Connections, pathOf, requestIdOf, serveRequest } from "./serve-request.js";
import { DEFAULT_MAX_CONNECTIONS } from "./server-limits.js";

/** How long a shutdown waits, once connections are closed, for their handlers to finish. */
const HANDLERS_GRACE_MS = 5_000;

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
    /**
     * The bytes a second a request body must average over the time core waits for it, once its first `bodyIdleMs`
     * are spent (500 unless said; 0: no minimum).
     */
    bodyMinRate?: number;
    /** The most connections open at once (1,000 unless said): node closes one more as soon as it is accepted. */
    maxConnections?: number;
  },
): Promise<RunningServer> {
  const { logger } = options;
  const connections: Connections = {
    servingOn: new WeakMap(),
    answeredByNode: new WeakMap(),
    closing: false,
    cutOff: false,
  };
  const { servingOn, answeredByNode } = connections;
  // Handlers still running: a shutdown waits for them after cutting their connections, so that what they
  // were doing (an import) is recorded and logged before the store closes.
  const inFlight = new Set<Promise<void>>();
  const bridge: BridgeContext = {
    api,
    logger,
    connections,
    bodyPace: {
      ...(options.bodyIdleMs !== undefined && { bodyIdleMs: options.bodyIdleMs }),
      ...(options.bodyMinRate !== undefined && { bodyMinRate: options.bodyMinRate }),
    },
  };

  const serveSafely = (message: IncomingMessage, response: ServerResponse, expectsContinue = false) => {
    const handling = serveRequest(message, response, bridge, expectsContinue)
      .catch((error: unknown) => {
        logger.error({ error }, "request bridge failed");
        response.destroy();
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  };
  const server = createServer(
    {
      // Node checks its header timeout every 30 s by default: every 5 s, a request's headers are cut 10-15 s
      // after it starts, as the README says, not up to 40 s.
      connectionsCheckingInterval: 5_000,
      // Without a Host, node answers 400 itself, bare; the bridge answers it as core's problem instead.
      requireHostHeader: false,
      // A header sent twice reads as both values joined, as fetch and Lambda read it. Node otherwise keeps the
      // first Content-Type (or Host) and drops the second, which a proxy in front may take instead: the two
      // would see different requests.
      joinDuplicateHeaders: true,
    },
    (message, response) => serveSafely(message, response),
  );
  server.on("checkContinue", (message, response) => serveSafely(message, response, true));
  // What node does by default for a request it cannot read or that took too long (answer, then close), and a
  // log line saying so: a request node refuses never reaches a handler, and would otherwise leave no trace.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // Node's own rule: answer unless the response being served has sent its headers (on a reused keep-alive
    // connection, bytes were written before, and the bad request still deserves its answer).
    const serving = servingOn.get(socket);
    const waiting = serving?.socket === null;
    if (serving && !serving.writableFinished && (serving.req.complete || serving.headersSent || waiting)) {
      // The request being served was read whole, and the bytes node could not parse came after it; or its answer
      // is under way already (a 501 to a body node then fails to frame); or it waits, pipelined, for the answers
      // before it to be written. Those answers go out first, where node's own handler would write a 400 over them
      // or cut them off, then the connection closes.
      serving.shouldKeepAlive = false;
      serving.once("close", () => socket.destroy());
      logger.info(
        { error: error.code },
        error.code === "HPE_INVALID_EOF_STATE"
          ? "the client ended the connection inside a request: closing once it is answered"
          : "unreadable bytes after a request: closing once it is answered",
      );
      return;
    }
    const answering = socket.writable && !serving?.headersSent && error.code !== "ECONNRESET";
    if (answering) {
      // A request being served had its headers read (its body was cut short): its id is the caller's, as core
      // would have answered it, and the request's own log line names it. Else the request was not read: a new id.
      const requestId = serving === undefined ? requestIdFrom() : requestIdOf(serving.req);
      const reply = standaloneErrorReply(clientErrorOf(error.code), requestId);
      answeredByNode.set(socket, { status: reply.status, requestId });
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
    // Node hands the socket over without its own error listener: a client that resets the connection before the
    // answer is written would be an error nobody handles, which stops the process. The socket is closed by it.
    socket.on("error", () => {});
    const requestId = requestIdOf(message);
    const reply = standaloneErrorReply(
      new NotImplementedError("CONNECT is for proxies; this server is none."),
      requestId,
    );
    // Node hands the socket over and forgets it: closed here, not only ended, or a client keeping its side
    // open would hold a shutdown for ever.
    const answer = () => socket.end(rawResponseOf(reply), () => socket.destroy());
    // Node hands it over as soon as it parses the CONNECT: pipelined behind a request still being answered, the
    // 501 went out in place of that answer. It now waits for the answers before it.
    const serving = servingOn.get(socket);
    if (serving === undefined || serving.writableFinished) answer();
    else {
      serving.once("finish", answer);
      // Node no longer watches the socket: a request waiting behind another would not learn that it closed.
      socket.once("close", () => serving.req.destroy());
    }
    logger.info({ method: message.method, status: reply.status, requestId }, "request");
  });
  // Slow-client guards: the headers must arrive within 10 s, and a body must not pause for 60 s while it is read
  // (`bodyIdleMs`, in node-request.ts), nor come slower than `bodyMinRate` over the time it is waited for. No
  // limit on the whole request (node's `requestTimeout`, 300 s unless set): an upload is read only as fast as its
  // import writes, and a limit on the whole would cut a large one however steadily it came.
  server.requestTimeout = 0;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  // Node closes a connection over the cap as soon as it accepts it (Node 20 and 22 alike: the client sees its
  // connection closed with no answer), and says so only by this event: a line for each, as a request has one.
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.maxConnections = maxConnections;
  server.on("drop", () => {
    logger.warn(
      { maxConnections },
      "connection dropped: as many are open as the server keeps (MAX_CONNECTIONS)",
    );
  });
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
        connections.closing = true;
        const timer = setTimeout(() => {
          connections.cutOff = true;
          server.closeAllConnections();
        }, timeoutMs);
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
