import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { RequestAbortedError, RequestTimeoutError } from "@anycloud/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { httpRequestOf } from "./node-request.js";

function message(method: string, url: string, headers: Record<string, string | string[]>, body?: string) {
  const incoming = open(method, url, headers);
  if (body !== undefined) incoming.push(body);
  incoming.push(null);
  return incoming;
}

/** A message whose body has not ended: the test pushes its bytes, or breaks it off. */
function open(method: string, url: string, headers: Record<string, string | string[]>) {
  const incoming = new IncomingMessage(new Socket());
  incoming.method = method;
  incoming.url = url;
  incoming.headers = headers;
  return incoming;
}

/** Reads a body to its end, or to the error it fails with. */
async function read(body: AsyncIterable<Uint8Array>): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of body) bytes += chunk.byteLength;
  } catch (error) {
    return { bytes, error };
  }
  return { bytes };
}

describe("httpRequestOf", () => {
  it("builds the URL from the Host header and the origin-form target", () => {
    const request = httpRequestOf(message("GET", "/todos?limit=2", { host: "api.example.com:8080" }));
    expect(request.url).toBe("http://api.example.com:8080/todos?limit=2");
    expect(request.method).toBe("GET");
    expect(request.body).toBeNull();
  });

  // node's parser lets a `#` through in a target (RFC 9112 has none there: a fragment never leaves the client);
  // it is read as the character it is, as the Lambda adapter reads one, not as a fragment the URL would drop.
  it("keeps a # of the target in its path or query, not as a fragment", () => {
    const url = (target: string) => new URL(httpRequestOf(message("GET", target, { host: "a.example" })).url);

    expect(url("/todos?limit=5#x&cursor=a").searchParams.get("limit")).toBe("5#x");
    expect(url("/todos?limit=5#x&cursor=a").searchParams.get("cursor")).toBe("a");
    expect(url("/todos#x").pathname).toBe("/todos%23x");
  });

  it("ignores a Host header that could move the path, and keeps an absolute-form target as it is", () => {
    expect(httpRequestOf(message("GET", "/todos", { host: "evil/../x" })).url).toBe("http://localhost/todos");
    expect(httpRequestOf(message("GET", "http://other.example/todos", {})).url).toBe(
      "http://other.example/todos",
    );
  });

  it("looks headers up by any case, joins repeated values as fetch does, and lists them all", () => {
    const request = httpRequestOf(
      message("GET", "/", { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] }),
    );
    expect(request.headers.get("Content-Type")).toBe("application/json");
    expect(request.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(request.headers.get("if-match")).toBeNull();
    expect([...request.headers]).toEqual([
      ["content-type", "application/json"],
      ["set-cookie", "a=1, b=2"],
    ]);
  });

  it("gives a HEAD no body, as a GET", () => {
    const request = httpRequestOf(message("HEAD", "/todos", { host: "a.example" }));

    expect(request.method).toBe("HEAD");
    expect(request.body).toBeNull();
  });

  it("streams the body of a POST, and leaves the message alive when the reader stops early", async () => {
    const incoming = message("POST", "/todos", { "content-type": "text/csv" }, "task\nBuy milk\n");
    const request = httpRequestOf(incoming);
    const chunks = request.body![Symbol.asyncIterator]();
    const first = await chunks.next();
    await chunks.return?.();

    expect(first.done).toBe(false);
    expect(Buffer.from(first.value!).toString()).toBe("task\nBuy milk\n");
    expect(incoming.destroyed).toBe(false);
  });
});

describe("httpRequestOf of what node leaves unset", () => {
  it("reads a message without method or target as a GET of /", () => {
    const incoming = new IncomingMessage(new Socket());
    incoming.method = undefined as never;
    incoming.url = undefined as never;
    incoming.headers = { host: "a.example" };

    const request = httpRequestOf(incoming);

    expect(request).toMatchObject({ method: "GET", url: "http://a.example/", body: null });
  });

  it("leaves an unfinished body's message alive when the reader stops early", async () => {
    const incoming = open("POST", "/todos", { "content-type": "text/csv" });
    incoming.push("task\n");
    const chunks = httpRequestOf(incoming).body![Symbol.asyncIterator]();

    await chunks.next();
    await chunks.return?.();

    expect(incoming.destroyed).toBe(false);
  });

  it("answers null for a header whose value is undefined, and does not list it", () => {
    const request = httpRequestOf(message("GET", "/", { host: "a.example", "x-gone": undefined as never }));

    expect(request.headers.get("x-gone")).toBeNull();
    expect([...request.headers]).toEqual([["host", "a.example"]]);
  });
});

describe("httpRequestOf's headers", () => {
  it("answers null for names that are Object's own properties, not headers", () => {
    const request = httpRequestOf(message("GET", "/", { host: "localhost" }));
    expect(request.headers.get("__proto__")).toBeNull();
    expect(request.headers.get("constructor")).toBeNull();
    expect(request.headers.get("toString")).toBeNull();
  });
});

describe("httpRequestOf's body", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fails with REQUEST_ABORTED, caused by the reset, when the client hangs up mid-body", async () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    const hungUp = open("POST", "/todos", { host: "a.example" });
    const readingHungUp = read(httpRequestOf(hungUp).body!);

    hungUp.push("task\n");
    hungUp.destroy(reset);

    const { error } = await readingHungUp;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe(reset);
  });

  // node marks a message destroyed before its end aborted, whatever the error.
  it("fails with REQUEST_ABORTED, caused by the error, when the body is broken off by any error", async () => {
    const failure = new Error("socket hang up");
    const aborted = open("POST", "/todos", { host: "a.example" });
    const reading = read(httpRequestOf(aborted).body!);

    aborted.destroy(failure);

    const { error } = await reading;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe(failure);
  });

  it("says a body idle for bodyIdleMs stopped arriving, not that it came too slowly", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const incoming = open("POST", "/todos", { host: "a.example" });
    const reading = read(httpRequestOf(incoming, { bodyIdleMs: 1_000, bodyMinRate: 100 }).body!);

    await vi.advanceTimersByTimeAsync(1_000);

    const { error } = await reading;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toBe("The body stopped arriving: nothing came for 1 s.");
  });

  it("cuts a body slower than bodyMinRate when its time is spent, saying how much came in how long", async () => {
    // 10 bytes after 900 ms: 1,000 ms plus 100 for the 10 bytes is the body's time, 200 ms of which are left.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const incoming = open("POST", "/todos", { host: "a.example" });
    let settled = false;
    const reading = read(httpRequestOf(incoming, { bodyIdleMs: 1_000, bodyMinRate: 100 }).body!).finally(
      () => {
        settled = true;
      },
    );

    await vi.advanceTimersByTimeAsync(900);
    incoming.push("0123456789");
    await vi.advanceTimersByTimeAsync(199);
    const settledBefore = settled;
    await vi.advanceTimersByTimeAsync(1);

    expect(settledBefore).toBe(false);
    const { bytes, error } = await reading;
    expect(bytes).toBe(10);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toBe(
      "The body came too slowly: 10 bytes in 1.1 s of waiting for it, under the 100 bytes a second needed " +
        "once its first 1 s are past.",
    );
  });

  it("leaves no timer behind once a body is read", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });

    const { bytes } = await read(httpRequestOf(message("POST", "/todos", {}, "task\n")).body!);

    expect(bytes).toBe(5);
    expect(vi.getTimerCount()).toBe(0);
  });
});
