import type { IncomingMessage } from "node:http";

/** How much of a refused body is read and dropped at most, and for how long: past either, the connection closes. */
export interface DiscardLimits {
  maxBytes: number;
  maxMs: number;
}

// Enough for a client to finish sending an upload it started before the refusal came, and read the answer (one
// reset while it writes loses the answer); not so much that a client can keep a connection busy for ever.
const DISCARD_LIMITS: DiscardLimits = { maxBytes: 64 * 1024 * 1024, maxMs: 2_000 };

/**
 * Reads what is left of a request body and drops it: until its end, the cap, the connection's close, or the end of
 * the client's side of it. A client that ended its side inside the body sends nothing more, and its body never
 * ends (node reports it as a client error): waiting for it would hold the connection, and the request's log line,
 * for the whole `maxMs`.
 */
export function discardRest(message: IncomingMessage, limits: DiscardLimits = DISCARD_LIMITS): Promise<void> {
  const { socket } = message;
  if (message.readableEnded || message.destroyed || socket.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let received = 0;
    const done = () => {
      clearTimeout(timer);
      message.off("data", onData);
      message.off("end", done);
      message.off("close", done);
      socket.off("end", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) done();
    };
    const timer = setTimeout(done, limits.maxMs);
    message.on("data", onData);
    message.once("end", done);
    message.once("close", done);
    socket.once("end", done);
    message.resume();
  });
}
