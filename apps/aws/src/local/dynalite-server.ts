import type { AddressInfo } from "node:net";
import { type LocalServer, portToUse } from "./local-server.js";

/**
 * dynalite in-process on 127.0.0.1 (`port`, or a free one): pure JS, ready in milliseconds, tables ACTIVE at
 * once. It lacks transactions and TTL, which this app does not use: the stand-in for machines without Java.
 */
export async function startDynalite(options: { port?: number } = {}): Promise<LocalServer> {
  const port = await portToUse(options.port, "dynalite");
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => {
      // Idle keep-alive sockets of the SDK's agent would hold close() open.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
