import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { discardRest } from "./discard-rest.js";

const limits = { maxBytes: 10, maxMs: 2_000 };

/** A request body still coming, on a connection whose client has not ended its side. */
function aBodyStillComing() {
  const body = new PassThrough();
  const socket = Object.assign(new EventEmitter(), { readableEnded: false });
  const message = Object.assign(body, { socket }) as unknown as IncomingMessage;
  return { body, socket, message };
}
type Coming = ReturnType<typeof aBodyStillComing>;

/** Starts `discardRest`, and says whether it has ended yet. */
function discarding(message: IncomingMessage) {
  let ended = false;
  void discardRest(message, limits).then(() => {
    ended = true;
  });
  return { ended: () => ended };
}

/** Lets the body's queued bytes flow to its listeners. */
const flowed = () => new Promise((resolve) => setImmediate(resolve));

function listenersLeft({ body, socket }: Coming) {
  return {
    data: body.listenerCount("data"),
    end: body.listenerCount("end"),
    close: body.listenerCount("close"),
    socketEnd: socket.listenerCount("end"),
    timers: vi.getTimerCount(),
  };
}

const NONE_LEFT = { data: 0, end: 0, close: 0, socketEnd: 0, timers: 0 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("discardRest", () => {
  it("reads and drops the body up to the cap, then ends while the body still comes, leaving nothing behind", async () => {
    const coming = aBodyStillComing();
    const discard = discarding(coming.message);

    coming.body.write(Buffer.alloc(6));
    await flowed();
    expect(discard.ended()).toBe(false);
    coming.body.write(Buffer.alloc(4));
    await flowed();
    expect(discard.ended()).toBe(false); // 10 bytes: at the cap, not over it

    coming.body.write(Buffer.alloc(1));
    await flowed();
    expect(discard.ended()).toBe(true);
    expect(listenersLeft(coming)).toEqual(NONE_LEFT);
  });

  it("gives up once its time is spent, when the body stops coming", async () => {
    const coming = aBodyStillComing();
    const discard = discarding(coming.message);
    coming.body.write(Buffer.alloc(3));
    await flowed();

    vi.advanceTimersByTime(limits.maxMs - 1);
    await flowed();
    expect(discard.ended()).toBe(false);
    vi.advanceTimersByTime(1);
    await flowed();
    expect(discard.ended()).toBe(true);
    expect(listenersLeft(coming)).toEqual(NONE_LEFT);
  });

  it.each([
    ["the body's end", ({ body }: Coming) => body.end()],
    ["the body's close", ({ body }: Coming) => body.destroy()],
    ["the end of the client's side", ({ socket }: Coming) => socket.emit("end")],
  ])("ends at %s, before its time is spent, leaving nothing behind", async (_, end) => {
    const coming = aBodyStillComing();
    const discard = discarding(coming.message);
    await flowed();
    expect(discard.ended()).toBe(false);

    end(coming);
    await flowed();
    expect(discard.ended()).toBe(true);
    expect(listenersLeft(coming)).toEqual(NONE_LEFT);
  });

  it.each([
    ["a body read to its end", (coming: Coming) => coming.body.resume().end()],
    ["a destroyed body", (coming: Coming) => coming.body.destroy()],
    [
      "a client that ended its side",
      (coming: Coming) => Object.assign(coming.socket, { readableEnded: true }),
    ],
  ])("ends at once for %s, and listens to nothing", async (_, endBefore) => {
    const coming = aBodyStillComing();
    endBefore(coming);
    await flowed();

    const discard = discarding(coming.message);
    await flowed();
    expect(discard.ended()).toBe(true);
    expect(listenersLeft(coming)).toEqual(NONE_LEFT);
  });
});
