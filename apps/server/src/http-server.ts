import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TodoApi } from "@anycloud/core";
import { getRequestListener } from "@hono/node-server";
import type { Logger as PinoLogger } from "pino";

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (useful with PORT=0). */
  url: string;
  server: Server;
  /** Stops accepting connections, lets requests in flight finish (up to `timeoutMs`), then closes the rest. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Serves a fetch-style API over node:http. The bridge is @hono/node-server's request listener: a small,
 * well-kept translation between IncomingMessage/ServerResponse and Request/Response that streams bodies both
 * ways with back-pressure and builds its Request lazily (cheaper than undici's on the hot path).
 * Each request is logged once, when its response has been sent.
 */
export async function startHttpServer(
  api: TodoApi,
  options: { port: number; host: string; logger: PinoLogger },
): Promise<RunningServer> {
  const { logger } = options;
  let closing = false;
  const listener = getRequestListener(
    async (request, env) => {
      const started = performance.now();
      const response = await api(request);
      // An answer given before the body was read whole (413, 415...) leaves unread bytes on the connection,
      // and a server shutting down wants its connections back: tell the client not to reuse this one,
      // rather than let its next request meet a closing socket.
      if (closing || !env.incoming.complete) response.headers.set("connection", "close");
      const outgoing = "outgoing" in env ? env.outgoing : undefined;
      outgoing?.once("close", () => {
        logger.info(
          {
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            requestId: response.headers.get("x-request-id"),
          },
          "request",
        );
      });
      return response;
    },
    {
      // Reached only if the bridge itself fails (core answers its own errors): say nothing of internals.
      errorHandler: (error) => {
        logger.error({ error }, "request bridge failed");
        return new Response(null, { status: 500 });
      },
    },
  );
  const server = createServer(listener);
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
