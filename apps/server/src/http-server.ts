import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpApi, Reply } from "@anycloud/core";
import type { Logger as PinoLogger } from "pino";
import { httpRequestOf } from "./node-request.js";

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with PORT=0). */
  url: string;
  server: Server;
  /** Stops accepting connections, lets requests in flight finish (up to `timeoutMs`), then closes the rest. */
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
  options: { port: number; host: string; logger: PinoLogger },
): Promise<RunningServer> {
  const { logger } = options;
  let closing = false;

  async function serve(message: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    let reply: Reply;
    try {
      reply = await api.handle(httpRequestOf(message));
    } catch (error) {
      // Core answers its own errors; this is the bridge failing: say nothing of internals.
      logger.error({ error }, "request bridge failed");
      reply = { status: 500, headers: { "cache-control": "no-store" } };
    }
    // Only `set-cookie` may be an array; node writes each value as its own header line.
    const headers = { ...reply.headers } as OutgoingHttpHeaders;
    // An answer given before the body was read whole (413, 415...) leaves unread bytes on the connection,
    // and a server shutting down wants its connections back: tell the client not to reuse this one, rather
    // than let its next request meet a closing socket.
    if (closing || !message.complete) headers.connection = "close";
    // A known length, rather than chunked encoding, which node picks when it is not told: the body is whole.
    if (reply.body !== undefined) headers["content-length"] = byteLengthOf(reply.body);
    else if (message.method !== "HEAD" && reply.status !== 204 && reply.status !== 304)
      headers["content-length"] = 0;
    response.once("close", () => {
      logger.info(
        {
          method: message.method,
          path: pathOf(message.url),
          status: reply.status,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          requestId: reply.headers?.["x-request-id"],
        },
        "request",
      );
    });
    response.writeHead(reply.status, headers);
    response.end(reply.body);
  }

  const server = createServer((message, response) => void serve(message, response));
  // Slow-client guards: a request must arrive whole within 60 s, its headers within 10 s.
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    close: (timeoutMs = 10_000) =>
      new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** The path of a request target, without its query (which may carry a cursor not worth logging). */
function pathOf(target = "/"): string {
  const query = target.indexOf("?");
  return query === -1 ? target : target.slice(0, query);
}

function byteLengthOf(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
}
