import { once } from "node:events";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import {
  createTodoApi,
  type HttpApi,
  type HttpRequest,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  type Reply,
  RequestAbortedError,
} from "@anycloud/core";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rawExchange } from "../../../test/support/raw-exchange.js";
import { type RunningServer, startHttpServer } from "./http-server.js";

/** An API other than core's, which may answer what node cannot write. */
function apiAnswering(replyFor: (path: string) => Reply): HttpApi {
  const handle = async (request: HttpRequest) => replyFor(new URL(request.url).pathname);
  return Object.assign(async () => new Response(null), { handle });
}

describe("startHttpServer", () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.close(100);
  });

  it("drops one connection whose reply cannot be written, and goes on serving", async () => {
    const bad: Reply = { status: 200, headers: { "x-note": "line\nbreak" }, body: "no" };
    const good: Reply = { status: 200, headers: { "content-type": "text/plain" }, body: "ok" };
    const api = apiAnswering((path) => (path === "/bad" ? bad : good));
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });

    await expect(fetch(`${running.url}/bad`)).rejects.toThrow();
    const ok = await fetch(`${running.url}/ok`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("ok");
  });

  it("answers core's INTERNAL problem, with no-store and nosniff, when the API itself throws", async () => {
    const api = apiAnswering(() => {
      throw new Error("secret detail /var/data");
    });
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });

    const response = await fetch(`${running.url}/health`);
    const named = await fetch(`${running.url}/health`, { headers: { "x-request-id": "trace-1" } });

    expect(named.headers.get("x-request-id")).toBe("trace-1");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 500, code: "INTERNAL" });
    expect(problem.requestId).toBe(response.headers.get("x-request-id"));
    expect(JSON.stringify(problem)).not.toContain("secret");
  });

  it("aborts a request's signal when its client goes, whether core asked for it before or after", async () => {
    // The signal is made only when core first reads it: read after the client went, it comes aborted already.
    let started!: () => void;
    let serverSideClosed!: Promise<unknown>;
    const handle = async (request: HttpRequest): Promise<Reply> => {
      const readBefore = request.url.endsWith("/before") ? request.signal : undefined;
      started();
      await serverSideClosed;
      seen.push(readBefore ?? request.signal!);
      return { status: 200, headers: {}, body: "too late" };
    };
    const seen: AbortSignal[] = [];
    const api = Object.assign(async () => new Response(null), { handle });
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });
    // Node's close listener, added as the connection came, tells the response first; this one runs after it.
    running.server.on("connection", (socket) => {
      serverSideClosed = once(socket, "close");
    });
    for (const path of ["/before", "/after"]) {
      const handling = new Promise<void>((resolve) => {
        started = resolve;
      });
      const client = connect(Number(new URL(running.url).port), "127.0.0.1");
      client.on("error", () => {});
      client.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await handling;
      client.destroy();
      await serverSideClosed;
    }
    await running.close(100);
    running = undefined;

    expect(seen.map((signal) => signal.aborted)).toEqual([true, true]);
    for (const signal of seen) {
      expect(signal.reason).toBeInstanceOf(RequestAbortedError);
      // The client's doing, not a shutdown's: the import it stops is logged with this reason.
      expect((signal.reason as Error).message).toMatch(/^The client closed the connection/);
    }
  });

  it("drops the connection, and logs an error, when the bridge itself fails (an API answering no reply)", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const api = apiAnswering(() => undefined as unknown as Reply);
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger });

    await expect(fetch(`${running.url}/nothing`)).rejects.toThrow();

    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: "request bridge failed", error: expect.anything() }),
    );
  });

  it("gives its url with an IPv6 address in brackets, as URLs write one", async () => {
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    running = await startHttpServer(api, { port: 0, host: "::1", logger: pino({ level: "silent" }) });

    const response = await fetch(`${running.url}/health`);

    expect(running.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(response.status).toBe(200);
  });

  describe("close", () => {
    /** An API whose handler tells when it has a request, and answers once `answer` is called. */
    function heldApi() {
      let started!: () => void;
      let answer!: () => void;
      const handling = new Promise<void>((resolve) => {
        started = resolve;
      });
      const answered = new Promise<void>((resolve) => {
        answer = resolve;
      });
      const handle = async (): Promise<Reply> => {
        started();
        await answered;
        return { status: 200, headers: {}, body: "done" };
      };
      return { api: Object.assign(async () => new Response(null), { handle }), handling, answer };
    }

    it("takes no more connections, lets a request in flight finish and tells its client the connection closes", async () => {
      const { api, handling, answer } = heldApi();
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });
      const { url } = running;
      // Kept alive, as a client would keep it for its next request.
      const inFlight = rawExchange(Number(new URL(url).port), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      await handling;

      const closed = running.close(5_000);
      const refused = await new Promise<string>((resolve) => {
        request(`${url}/health`, (response) => resolve(`answered ${response.statusCode}`))
          .on("error", (error: NodeJS.ErrnoException) => resolve(`${error.code}`))
          .end();
      });
      answer();
      const answered = await inFlight;
      await closed;
      running = undefined;

      expect(refused).toBe("ECONNREFUSED");
      expect(answered).toMatch(/^HTTP\/1\.1 200 /);
      expect(answered).toContain("connection: close\r\n");
    });

    it("cuts a request still in flight once its time is up, aborting it as the shutdown's doing", async () => {
      // The handler waits for its request to be given up, as an import stops when its signal aborts.
      let started!: () => void;
      const handling = new Promise<void>((resolve) => {
        started = resolve;
      });
      const reasons: unknown[] = [];
      const handle = async (request: HttpRequest): Promise<Reply> => {
        const signal = request.signal!;
        started();
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        reasons.push(signal.reason);
        return { status: 200, headers: {}, body: "too late" };
      };
      const api = Object.assign(async () => new Response(null), { handle });
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });
      const inFlight = rawExchange(
        Number(new URL(running.url).port),
        "GET /never HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      await handling;

      await running.close(100);
      running = undefined;

      // Closed with no answer, and the handler was waited for: it had seen why its request was given up.
      expect(await inFlight).toBe("");
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toBeInstanceOf(RequestAbortedError);
      expect((reasons[0] as Error).message).toMatch(/^The server's shutdown closed the connection/);
    });
  });

  describe("headers a request sends twice, or cannot mean", () => {
    /** Sends `text` on a connection of its own; resolves with everything the server answered. */
    const exchange = (text: string) => rawExchange(Number(new URL(running!.url).port), text);

    const start = async () => {
      const todos = new InMemoryTodoRepository();
      const api = createTodoApi({ todos, imports: new InMemoryImportLedger() });
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });
      return todos;
    };

    it("answers 400 to two Host lines, or a Host that is no host and port, as RFC 9112 §3.2 says", async () => {
      await start();
      const get = (hostLines: string) =>
        exchange(`GET /health HTTP/1.1\r\n${hostLines}Connection: close\r\n\r\n`);

      const twice = await get("Host: a.example\r\nHost: b.example\r\n");
      const twiceAlike = await get("Host: a.example\r\nHost: a.example\r\n");
      const spaced = await get("Host: a b\r\n");
      const path = await get("Host: x/../y\r\n");
      // Still served: an empty Host (RFC 9112 allows it), and a port no socket has but which is written right.
      const empty = await get("Host:\r\n");
      const bigPort = await get("Host: example.com:99999\r\n");

      for (const answer of [twice, twiceAlike, spaced, path]) {
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
        expect(answer).toContain('"code":"MALFORMED_REQUEST"');
      }
      expect(empty).toMatch(/^HTTP\/1\.1 200 /);
      expect(bigPort).toMatch(/^HTTP\/1\.1 200 /);
    });

    it("answers 400 to bytes it cannot read on a connection kept alive after an answer", async () => {
      // The answered request no longer holds the connection: what comes after it is a request of its own.
      await start();
      const socket = connect(Number(new URL(running!.url).port), "127.0.0.1");
      socket.setEncoding("utf8");
      socket.on("error", () => {});
      let answer = "";
      const firstAnswered = new Promise<void>((resolve) => {
        socket.on("data", (chunk: string) => {
          answer += chunk;
          if (answer.includes('{"status":"ok"}')) resolve();
        });
      });
      const closed = once(socket, "close");
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      await firstAnswered;

      socket.write("NOT HTTP AT ALL\r\n\r\n");
      await closed;

      const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(second).toMatch(/^HTTP\/1\.1 400 /);
      expect(second).toContain('"code":"MALFORMED_REQUEST"');
    });

    it("reads two Content-Type lines as fetch does, both joined: refused 415, not read as the first says", async () => {
      const todos = await start();
      const body = "task\nsmuggled\n";
      const answer = await exchange(
        "POST /todos/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n" +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );

      expect(answer).toMatch(/^HTTP\/1\.1 415 /);
      expect((await todos.list({ limit: 10 })).items).toEqual([]);
    });
  });

  it("answers a body broken off with the caller's request id, and logs the request with it", async () => {
    // The client sends its headers and half of its body, then ends its side: node finds the message cut short and
    // answers it (400 REQUEST_ABORTED) before core does. Its headers were read: the caller's id is the request's.
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger });
    const socket = connect(Number(new URL(running.url).port), "127.0.0.1");
    socket.setEncoding("utf8");
    let answer = "";
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", () => {});
    socket.end(
      "POST /todos HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-cut-1\r\nContent-Type: application/json\r\n" +
        'Content-Length: 100\r\n\r\n{"task":',
    );
    await once(socket, "close");
    await running.close(100);
    running = undefined;

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain("x-request-id: trace-cut-1\r\n");
    expect(answer).toContain('"requestId":"trace-cut-1"');
    expect(lines.filter((line) => line.msg === "request")).toEqual([
      expect.objectContaining({ method: "POST", path: "/todos", status: 400, requestId: "trace-cut-1" }),
    ]);
  });

  it("answers 417 to an Expect it cannot meet, closing the connection though the client keeps it, and logs it", async () => {
    // Node writes its own bare 417 without a handler, which leaves no log line. The connection closes: the client
    // may send the body it announced, or not.
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger });

    const answer = await rawExchange(
      Number(new URL(running.url).port),
      "POST /todos HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nX-Request-Id: expecting-1\r\n" +
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n",
    );

    expect(answer).toMatch(/^HTTP\/1\.1 417 /);
    expect(answer).toContain("connection: close\r\n");
    expect(answer).toContain("x-request-id: expecting-1\r\n");
    expect(answer).toContain('"code":"EXPECTATION_FAILED"');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "request",
        method: "POST",
        path: "/todos",
        status: 417,
        requestId: "expecting-1",
      }),
    ]);
  });

  describe("bytes node cannot read while it serves a request", () => {
    const lines: Record<string, unknown>[] = [];
    const start = async () => {
      lines.length = 0;
      const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger });
      return Number(new URL(running.url).port);
    };

    it("answers the request first and says it closes, then closes; each time logging why", async () => {
      const port = await start();

      // A request read whole, then bytes that start no request: its 201 is what the client reads, not a 400.
      const created = await rawExchange(
        port,
        "POST /todos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n" +
          '{"task":"saved"}junk\r\n\r\n',
      );
      // An upload refused on its type while its body is still to come (its answer under way), then the client
      // ends its side inside the body.
      const refused = await rawExchange(
        port,
        "POST /todos/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc",
        { end: true },
      );

      expect(created).toMatch(/^HTTP\/1\.1 201 /);
      expect(created.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
      expect(created).toContain("Connection: close\r\n");
      expect(refused).toMatch(/^HTTP\/1\.1 415 /);
      expect(refused.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
      expect(lines.filter((line) => line.msg !== "request")).toEqual([
        expect.objectContaining({
          error: "HPE_INVALID_METHOD",
          msg: "unreadable bytes after a request: closing once it is answered",
        }),
        expect.objectContaining({
          error: "HPE_INVALID_EOF_STATE",
          msg: "the client ended the connection inside a request: closing once it is answered",
        }),
      ]);
    });

    it("answers a request pipelined before them first, not a 400 in its place, then the one they broke", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const handle = async (request: HttpRequest): Promise<Reply> => {
        const path = new URL(request.url).pathname;
        if (path === "/held") await held;
        else for await (const _ of request.body ?? []);
        return { status: 200, headers: {}, body: path };
      };
      const api = Object.assign(async () => new Response(null), { handle });
      const logger = pino({ level: "silent" });
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger, bodyIdleMs: 100 });
      const unreadable = once(running.server, "clientError");

      // The second request's body has a chunk size that is no number: node fails on it while the first is held.
      const answering = rawExchange(
        Number(new URL(running.url).port),
        "GET /held HTTP/1.1\r\nHost: x\r\n\r\n" +
          "POST /broken HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      );
      await unreadable;
      release();
      const answer = await answering;

      expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 408"]);
      expect(answer).toContain("/held");
    });

    it("answers a CONNECT pipelined behind a request after that request's answer, not in its place", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const handle = async (): Promise<Reply> => {
        await held;
        return { status: 200, headers: {}, body: "held" };
      };
      const api = Object.assign(async () => new Response(null), { handle });
      running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger: pino({ level: "silent" }) });
      const handedOver = once(running.server, "connect");

      const answering = rawExchange(
        Number(new URL(running.url).port),
        "GET /held HTTP/1.1\r\nHost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
      );
      await handedOver;
      release();
      const answer = await answering;

      expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 501"]);
      expect(answer).toContain("held");
    });

    it("closes at once when the client ends its side inside a body it refused, not after the time allowed to drop it", async () => {
      const port = await start();
      // The bridge reads and drops what is left of a refused body for up to 2 s. With its timers stopped, only
      // the end of the client's side can end that wait: without it, this exchange would never close.
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        const refused = await rawExchange(
          port,
          "POST /todos/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc",
          { end: true },
        );

        expect(refused).toMatch(/^HTTP\/1\.1 415 /);
        expect(lines).toContainEqual(expect.objectContaining({ msg: "request", status: 415 }));
      } finally {
        vi.useRealTimers();
      }
    });

    it("neither answers nor logs a request whose client reset the connection before sending it whole", async () => {
      const port = await start();
      const accepted = once(running!.server, "connection");
      const client = connect(port, "127.0.0.1");
      client.on("error", () => {});
      const [socket] = (await accepted) as [Socket];
      // Not events.once: the reset comes to the server's socket as an error before its close.
      const serverSideClosed = new Promise((resolve) => socket.once("close", resolve));

      // Reset once the server has read the bytes: sent with them, the reset may read as the client ending its side
      // (a request broken off, which is answered 400 and logged).
      const arrived = once(socket, "data");
      client.write("GET /health HTTP/1.1\r\nHost: x\r\n");
      await arrived;
      client.resetAndDestroy();
      await serverSideClosed;

      expect(lines).toEqual([]);
    });
  });

  it("closes a connection over maxConnections as soon as it is accepted, unanswered, and logs it", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    running = await startHttpServer(api, { port: 0, host: "127.0.0.1", logger, maxConnections: 2 });
    const { server } = running;
    const port = Number(new URL(running.url).port);
    const openConnections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    /** Waits until `open` holds of the connections open, or for a second at most. */
    const untilOpen = async (open: (count: number) => boolean) => {
      const until = performance.now() + 1_000;
      while (!open(await openConnections()) && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // Two connections that send nothing yet, which node keeps open (until its header timeout, 10-15 s).
    const holders = [connect(port, "127.0.0.1"), connect(port, "127.0.0.1")];
    for (const holder of holders) holder.on("error", () => {});
    await untilOpen((count) => count === 2);

    // What a client sees: its connection closed, with no byte of an answer (a reset when its request had arrived).
    // node:http says so at once (ECONNRESET, "socket hang up" or "read ECONNRESET"); Node 20's fetch did not settle
    // (Node 22's fails at once).
    const refused = await new Promise<string>((resolve) => {
      request(`${running!.url}/health`, (response) => resolve(`answered ${response.statusCode}`))
        .on("error", (error: NodeJS.ErrnoException) => resolve(`${error.code}`))
        .end();
    });
    const raw = connect(port, "127.0.0.1");
    raw.on("error", () => {});
    raw.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    let rawAnswer = "";
    raw.on("data", (chunk: Buffer) => {
      rawAnswer += chunk.toString();
    });
    await Promise.race([once(raw, "close"), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    raw.destroy();
    holders[0]!.destroy();
    await untilOpen((count) => count === 1);
    const served = await fetch(`${running.url}/health`, { headers: { connection: "close" } });
    holders[1]!.destroy();

    expect(refused).toBe("ECONNRESET");
    expect(rawAnswer).toBe("");
    expect(served.status).toBe(200);
    expect(lines.filter((line) => line.level === 40)).toEqual([
      expect.objectContaining({ maxConnections: 2, msg: expect.stringMatching(/^connection dropped/) }),
      expect.objectContaining({ maxConnections: 2, msg: expect.stringMatching(/^connection dropped/) }),
    ]);
  });

  describe("a request body that arrives slowly", () => {
    const rows = 12;
    const head = (length: number) =>
      `POST /todos/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n`;
    const lines = ["task\n", ...Array.from({ length: rows }, (_, index) => `row ${index}\n`)];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    /** A connection to the server that has sent the upload's head; `answer()` is what the server sent so far. */
    async function upload(length: number) {
      const socket = connect(Number(new URL(running!.url).port), "127.0.0.1");
      await once(socket, "connect");
      let answer = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        answer += chunk;
      });
      socket.on("error", () => {});
      // Not events.once, which rejects on an error (a reset), left unhandled by a caller that does not wait.
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.write(head(length));
      return { socket, closed, answer: () => answer };
    }

    /** Sends the head, then each of `parts` after its pause; resolves with everything the server answered. */
    async function send(parts: { pauseMs: number; text: string }[], length: number): Promise<string> {
      const { socket, closed, answer } = await upload(length);
      for (const { pauseMs, text } of parts) {
        await sleep(pauseMs);
        if (!socket.destroyed) socket.write(text);
      }
      await Promise.race([closed, sleep(5_000)]);
      socket.destroy();
      return answer();
    }

    const start = async (pace: { bodyIdleMs: number; bodyMinRate?: number }, importConcurrency?: number) => {
      const todos = new InMemoryTodoRepository();
      const api = createTodoApi({ todos, imports: new InMemoryImportLedger(), importConcurrency });
      running = await startHttpServer(api, {
        port: 0,
        host: "127.0.0.1",
        logger: pino({ level: "silent" }),
        ...pace,
      });
      return todos;
    };

    it("is read to its end however long it takes, as long as it keeps coming", async () => {
      // Each pause a fifth of the idle limit: the client's timers and the server's share this process, and a
      // pause that outlasts the limit on a busy machine would be a timeout the test caused. About 35 bytes a
      // second, which the minimum of 20 lets through.
      const todos = await start({ bodyIdleMs: 1_000, bodyMinRate: 20 });
      const parts = lines.map((text) => ({ pauseMs: 200, text }));
      const length = Buffer.byteLength(lines.join(""));

      const answer = await send(parts, length);

      // 13 parts 200 ms apart: about 2.6 s in all, more than twice the idle limit, never idle for as long as it.
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect((await todos.list({ limit: 100 })).items).toHaveLength(rows);
      // No limit on the whole request: a large upload is read as fast as its import writes, which may take minutes.
      expect(running!.server.requestTimeout).toBe(0);
    });

    it("is answered 408 once it sends nothing for the idle limit, and nothing is imported", async () => {
      const todos = await start({ bodyIdleMs: 300 });
      const length = Buffer.byteLength(lines.join(""));

      const answer = await send([{ pauseMs: 0, text: lines.slice(0, 3).join("") }], length);

      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
      expect(answer.toLowerCase()).toContain("connection: close");
      expect((await todos.list({ limit: 100 })).items).toHaveLength(0);
    });

    /**
     * Sends the head, then the body (ASCII) a byte every `everyMs` until the server has answered or the body is
     * sent, then closes the connection; resolves with the answer and how many of the body's bytes went before it.
     */
    async function trickle(body: string, everyMs: number): Promise<{ answer: string; sent: number }> {
      const { socket, answer } = await upload(Buffer.byteLength(body));
      let sent = 0;
      for (; sent < body.length && !answered(answer()); sent++) {
        socket.write(body[sent]!);
        await sleep(everyMs);
      }
      // A body sent whole is answered as the server reads it.
      while (!answered(answer()) && !socket.destroyed) await sleep(10);
      socket.destroy();
      return { answer: answer(), sent };
    }

    /** Whether `answer` holds a whole response: its head and as many bytes as its Content-Length says. */
    const answered = (answer: string) => {
      const end = answer.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(answer)?.[1];
      return end !== -1 && length !== undefined && Buffer.byteLength(answer.slice(end + 4)) >= Number(length);
    };

    it("is answered 408 once it comes slower than the minimum rate, though never idle for the idle limit", async () => {
      // A byte every 100 ms never trips an idle limit of 300 ms, and held the only import slot for as long as it
      // went on. With 300 ms free and then 100 bytes a second, it is cut at its 4th byte, after about 340 ms of
      // waiting. Counted in bytes, not measured in time: a byte takes at least 100 ms to come, so a busy machine
      // only cuts it sooner in bytes; without the rule the 79-byte trickle is read whole (8 s) and imported.
      const todos = await start({ bodyIdleMs: 300, bodyMinRate: 100 }, 1);
      const csv = lines.join("");

      const { answer, sent } = await trickle(csv, 100);
      const next = await send([{ pauseMs: 0, text: csv }], Buffer.byteLength(csv));

      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer.toLowerCase()).toContain("connection: close");
      expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
      expect(answer).toMatch(
        /"detail":"The body came too slowly: \d+ bytes in \d+\.\d s of waiting for it, under the 100 bytes a second needed once its first 0\.3 s are past\."/,
      );
      // Cut within its first second's bytes (10 at most, room for the answer to reach the client), long before
      // its end.
      expect(sent).toBeLessThanOrEqual(10);
      // The slot it held is free: the next upload is imported (and the trickle's rows were not).
      expect(next).toMatch(/^HTTP\/1\.1 200 /);
      expect((await todos.list({ limit: 100 })).items).toHaveLength(rows);
    }, 20_000);

    it("is not held to the minimum rate while the server does not read it (an import writing)", async () => {
      // The API reads a chunk, then works 500 ms before it asks for the next, as an import writes a batch: the
      // client sent the rest meanwhile, and was never waited for. Counted from the first read (as Apache counts),
      // 500 ms is past the 200 ms (and a few bytes' worth) the body may take.
      const handle = async (request: HttpRequest): Promise<Reply> => {
        let bytes = 0;
        for await (const chunk of request.body!) {
          if (bytes === 0) await sleep(500);
          bytes += chunk.byteLength;
        }
        return { status: 200, headers: {}, body: `${bytes} bytes` };
      };
      const api = Object.assign(async () => new Response(null), { handle });
      running = await startHttpServer(api, {
        port: 0,
        host: "127.0.0.1",
        logger: pino({ level: "silent" }),
        bodyIdleMs: 200,
        bodyMinRate: 1_000,
      });
      const csv = lines.join("");
      const half = Math.floor(csv.length / 2);

      const answer = await send(
        [
          { pauseMs: 0, text: csv.slice(0, half) },
          { pauseMs: 50, text: csv.slice(half) },
        ],
        csv.length,
      );

      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain(`${csv.length} bytes`);
    });
  });
});
