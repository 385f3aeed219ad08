import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import type { HttpApi, HttpRequest, Reply } from "@anycloud/core";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rawExchange as exchange } from "../../../test/support/raw-exchange.js";
import { type BridgeContext, pathOf, serveRequest } from "./serve-request.js";

/** A server answering each request with `handle` through the bridge; `lines` are its log lines. */
async function serving(handle: (request: HttpRequest) => Promise<Reply>, closing = false) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    // As the server's logger (logging.ts) writes an error.
    { level: "info", serializers: { error: pino.stdSerializers.errWithCause } },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  const api: HttpApi = Object.assign(async () => new Response(null), { handle });
  const context: BridgeContext = {
    api,
    logger,
    connections: { servingOn: new WeakMap(), answeredByNode: new WeakMap(), closing, cutOff: false },
    bodyPace: {},
  };
  const server = createServer((message, response) => void serveRequest(message, response, context));
  server.on("checkContinue", (message, response) => void serveRequest(message, response, context, true));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { server, port, lines, context };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server?.listening) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

describe("pathOf", () => {
  it("logs a target's path without its query, nor the scheme, host and user of an absolute-form one", () => {
    expect(pathOf("/todos?cursor=secret")).toBe("/todos");
    expect(pathOf("http://alice:secret@host/hello?x=1")).toBe("/hello");
    expect(pathOf("*")).toBe("*");
    expect(pathOf("not a url")).toBe("(not a URL)");
    expect(pathOf()).toBe("/");
  });
});

describe("serveRequest", () => {
  const ok = async (): Promise<Reply> => ({
    status: 200,
    headers: { "x-request-id": "from-core" },
    body: "ok",
  });

  it("logs one line per request: method, path without query, status and the reply's request id", async () => {
    const started = await serving(ok);
    server = started.server;

    const answer = await exchange(
      started.port,
      "GET /todos?cursor=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const requests = started.lines.filter((line) => line.msg === "request");
    expect(requests).toEqual([
      expect.objectContaining({ method: "GET", path: "/todos", status: 200, requestId: "from-core" }),
    ]);
    expect(requests[0]).not.toHaveProperty("aborted");
  });

  it.each([
    {
      by: "the client",
      cutOff: false,
      reason: "The client closed the connection before the answer was sent.",
    },
    {
      by: "a shutdown",
      cutOff: true,
      reason: "The server's shutdown closed the connection before the answer was sent.",
    },
  ])(
    "logs a request given up by $by as aborted, and aborts its signal saying whose doing it was",
    async ({ cutOff, reason }) => {
      let handling!: () => void;
      const handled = new Promise<void>((resolve) => {
        handling = resolve;
      });
      let signal: AbortSignal | undefined;
      const started = await serving(async (request) => {
        signal = request.signal;
        handling();
        await new Promise((resolve) => signal!.addEventListener("abort", resolve));
        return { status: 200, headers: {}, body: "too late" };
      });
      server = started.server;
      started.context.connections.cutOff = cutOff;
      const client = connect(started.port, "127.0.0.1");
      client.on("error", () => {});
      client.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      await handled;
      client.destroy();
      await once(signal!, "abort");
      await new Promise((resolve) => setImmediate(resolve));

      expect((signal!.reason as Error).message).toBe(reason);
      expect(started.lines.filter((line) => line.msg === "request")).toEqual([
        expect.objectContaining({ method: "GET", path: "/slow", aborted: true }),
      ]);
    },
  );

  it("says Content-Length 0 for an answer without body, but not for a 204, a 304 or a HEAD's", async () => {
    const started = await serving(async (request) => {
      const status = Number(new URL(request.url).pathname.slice(1));
      return { status, headers: {} };
    });
    server = started.server;
    const ask = (method: string, status: number) =>
      exchange(started.port, `${method} /${status} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

    const empty = await ask("GET", 200);
    const noContent = await ask("GET", 204);
    const notModified = await ask("GET", 304);
    const head = await ask("HEAD", 200);

    expect(empty.toLowerCase()).toContain("content-length: 0\r\n");
    for (const answer of [noContent, notModified, head]) {
      expect(answer).toMatch(/^HTTP\/1\.1 (200|204|304) /);
      expect(answer.toLowerCase()).not.toContain("content-length");
    }
  });

  it("keeps a connection open after its answer, unless the server shuts down", async () => {
    const open = await serving(ok);
    const closing = await serving(ok, true);
    server = closing.server;
    const kept = connect(open.port, "127.0.0.1");
    kept.setEncoding("utf8");
    kept.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let keptAnswer = "";
    for await (const chunk of kept) {
      keptAnswer += chunk;
      if (keptAnswer.endsWith("\r\n\r\nok")) break;
    }
    kept.destroy();
    open.server.closeAllConnections();
    open.server.close();

    const closed = await exchange(closing.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");

    expect(keptAnswer.toLowerCase()).toContain("connection: keep-alive\r\n");
    expect(closed).toMatch(/^HTTP\/1\.1 200 /);
    expect(closed.toLowerCase()).toContain("connection: close\r\n");
  });

  it("asks for a held-back body (100 Continue) only when core reads it, and closes after a body refused unread", async () => {
    const started = await serving(async (request) => {
      if (new URL(request.url).pathname === "/refuse") return { status: 413, headers: {}, body: "too large" };
      let bytes = 0;
      for await (const chunk of request.body!) bytes += chunk.byteLength;
      return { status: 200, headers: {}, body: `${bytes} bytes` };
    });
    server = started.server;
    /** Sends the head, and the body once told to continue or answered; resolves with everything answered. */
    const upload = async (path: string, close = "") => {
      const socket = connect(started.port, "127.0.0.1");
      socket.setEncoding("utf8");
      socket.on("error", () => {});
      let answer = "";
      let sent = false;
      socket.on("data", (chunk: string) => {
        answer += chunk;
        if (!sent && /^HTTP\/1\.1 \d{3} /.test(answer)) {
          sent = true;
          socket.write("hello");
        }
      });
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n${close}\r\n`,
      );
      await once(socket, "close");
      return answer;
    };

    const read = await upload("/read", "Connection: close\r\n");
    // No Connection: close from the client: the server closes the connection of its own accord.
    const refused = await upload("/refuse");

    expect(read).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(read).toContain("5 bytes");
    expect(refused).toMatch(/^HTTP\/1\.1 413 /);
    expect(refused).not.toContain("100 Continue");
    expect(refused.toLowerCase()).toContain("connection: close\r\n");
    expect(refused).toContain("too large");
  });

  it("lets a client that sends its body without waiting for the 100 Continue read the refusal, not a reset", async () => {
    // RFC 9110 §10.1.1: a client that expects 100-continue may send its body without waiting. Closed at once, with
    // the body arriving, the connection was reset, and the client's system dropped the answer it had not yet read.
    const started = await serving(async () => ({ status: 413, headers: {}, body: "too large" }));
    server = started.server;
    const size = 4 * 1024 * 1024;
    const socket = connect(started.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.pause();
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
    });

    socket.write(
      `POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nExpect: 100-continue\r\n\r\n`,
    );
    // Read only once the whole body is written (or could not be): the answer waits in the client's system.
    await new Promise<void>((resolve) => {
      socket.write(Buffer.alloc(size, 0x61), () => resolve());
    });
    socket.resume();
    await once(socket, "close");

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain("too large");
  });

  it("logs the bridge's own failures with their error, and the request id answered", async () => {
    const started = await serving(async (request) => {
      if (new URL(request.url).pathname === "/throws") throw new Error("the API broke");
      return { status: 200, headers: { "x-note": "line\nbreak" }, body: "unwritable" };
    });
    server = started.server;

    const failed = await exchange(
      started.port,
      "GET /throws HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-7\r\nConnection: close\r\n\r\n",
    );
    const unwritable = await exchange(
      started.port,
      "GET /bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );

    expect(failed).toMatch(/^HTTP\/1\.1 500 /);
    expect(unwritable).toBe("");
    expect(started.lines.filter((line) => line.level === 50)).toEqual([
      expect.objectContaining({
        msg: "request bridge failed",
        requestId: "trace-7",
        error: expect.objectContaining({ message: "the API broke" }),
      }),
      expect.objectContaining({
        msg: "writing the response failed",
        error: expect.objectContaining({ code: "ERR_INVALID_CHAR" }),
      }),
    ]);
  });

  it("logs how long the request took, in milliseconds to two decimals", async () => {
    let now = 1000;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    try {
      const started = await serving(async () => {
        now = 1012.3456;
        return { status: 204 };
      });
      server = started.server;

      await exchange(started.port, "GET /todos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      await new Promise((resolve) => setImmediate(resolve));

      // A reply with no headers logs no request id.
      const requests = started.lines.filter((line) => line.msg === "request");
      expect(requests).toEqual([
        expect.objectContaining({ method: "GET", path: "/todos", status: 204, durationMs: 12.35 }),
      ]);
      expect(requests[0]).not.toHaveProperty("requestId");
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("sends no 100 Continue to a client that did not ask for one, and leaves the signal of an answered request alone", async () => {
    let signal: AbortSignal | undefined;
    const started = await serving(async (request) => {
      signal = request.signal;
      let bytes = 0;
      for await (const chunk of request.body!) bytes += chunk.byteLength;
      return { status: 200, headers: {}, body: `${bytes} bytes` };
    });
    server = started.server;

    const answer = await exchange(
      started.port,
      "POST /todos HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain("5 bytes");
    expect(signal?.aborted).toBe(false);
  });

  describe("requests pipelined on one connection", () => {
    it("handles one only once the answer before it is written, so a client reading none holds one answer", async () => {
      const events: string[] = [];
      const started = await serving(async (request) => {
        const path = new URL(request.url).pathname;
        events.push(`${path} handled`);
        return { status: 200, headers: {}, body: path };
      });
      server = started.server;
      server.on("request", (message, response) => {
        response.once("finish", () => events.push(`${message.url} answered`));
      });

      const answer = await exchange(
        started.port,
        "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      );

      expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\/first[\s\S]*HTTP\/1\.1 200 [\s\S]*\/second$/);
      expect(events).toEqual(["/first handled", "/first answered", "/second handled", "/second answered"]);
    });

    it("logs one that waited behind another when its connection closes, unhandled", async () => {
      const seen: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstStarted!: () => void;
      const firstHandled = new Promise<void>((resolve) => {
        firstStarted = resolve;
      });
      const started = await serving(async (request) => {
        const path = new URL(request.url).pathname;
        seen.push(path);
        firstStarted();
        await held;
        return { status: 200, headers: {}, body: path };
      });
      server = started.server;
      const closed = new Promise((resolve) =>
        server!.on("connection", (socket) => socket.on("close", resolve)),
      );
      const client = connect(started.port, "127.0.0.1");
      client.on("error", () => {});

      client.write("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /queued HTTP/1.1\r\nHost: x\r\n\r\n");
      await firstHandled;
      client.destroy();
      await closed;
      release();
      await new Promise((resolve) => setImmediate(resolve));

      expect(seen).toEqual(["/first"]);
      expect(started.lines.map(({ path, status, aborted }) => ({ path, status, aborted }))).toEqual([
        { path: "/first", status: undefined, aborted: true },
        { path: "/queued", status: undefined, aborted: true },
      ]);
    });
  });
});
