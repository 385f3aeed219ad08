import { createServer } from "node:net";

/** A stand-in server this process started: where it listens, and how to stop it. */
export interface LocalServer {
  endpoint: string;
  /** The child process's id, for a server that runs as one. */
  pid?: number;
  stop(): Promise<void>;
}

/** A port another process listens on, where a stand-in was to listen. */
export class PortTakenError extends Error {
  override readonly name = "PortTakenError";

  constructor(
    readonly service: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`${service}: port ${port} is taken. Stop what uses it, or choose another port.`, options);
  }
}

/**
 * A port to listen on at 127.0.0.1: `wanted` when it is free (a clear error when it is not), or any free
 * port when `wanted` is 0 or undefined. The check matters for servers that cannot say they failed to bind
 * before another server on that port answers in their place (DynamoDB Local).
 */
export async function portToUse(wanted: number | undefined, service: string): Promise<number> {
  try {
    return await listenOnce(wanted ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new PortTakenError(service, wanted ?? 0, { cause: error });
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
