import { mkdtemp, rm } from "node:fs/promises";
import { type IncomingHttpHeaders, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServerProcess } from "../support/server-process.js";

describe("the server process", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-process-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps todos, and valid cursors, across a restart on its SQLite store", async () => {
    const first = await startServerProcess({ DATA_DIR: dataDir });
    const created = await fetch(`${first.url}/todos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task: "survive a restart" }),
    });
    await fetch(`${first.url}/todos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task: "second" }),
    });
    const { id } = (await created.json()) as { id: string };
    const { nextCursor } = (await (await fetch(`${first.url}/todos?limit=1`)).json()) as {
      nextCursor: string;
    };
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await startServerProcess({ DATA_DIR: dataDir });
    const fetched = await fetch(`${second.url}/todos/${id}`);
    const nextPage = await fetch(`${second.url}/todos?limit=1&cursor=${encodeURIComponent(nextCursor)}`);
    await second.stop();

    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id, task: "survive a restart" });
    expect(nextPage.status).toBe(200);
    expect(((await nextPage.json()) as { items: { task: string }[] }).items.map((todo) => todo.task)).toEqual(
      ["second"],
    );
  });

  it("sends each body with its Content-Length, not chunked, and 204 with neither", async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, TODO_STORE: "memory" });
    const health = await rawGet(`${server.url}/health`);
    const created = await fetch(`${server.url}/todos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task: "delete me" }),
    });
    const { id } = (await created.json()) as { id: string };
    const deleted = await rawGet(`${server.url}/todos/${id}`, "DELETE");
    await server.stop();

    expect(health.headers["content-length"]).toBe(String(Buffer.byteLength(health.body)));
    expect(health.headers["transfer-encoding"]).toBeUndefined();
    expect(JSON.parse(health.body)).toEqual({ status: "ok" });
    expect(deleted.status).toBe(204);
    expect(deleted.headers["content-length"]).toBeUndefined();
    expect(deleted.headers["transfer-encoding"]).toBeUndefined();
  });

  it("logs one JSON line per request with method, path, status, duration and request id", async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });

    await fetch(`${server.url}/health?probe=1`, { headers: { "x-request-id": "req-42" } });
    await fetch(`${server.url}/nowhere`);
    await server.stop("SIGINT");

    const requests = server.logs.filter((entry) => entry.msg === "request");
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ method: "GET", path: "/health", status: 200, requestId: "req-42" });
    expect(requests[1]).toMatchObject({ method: "GET", path: "/nowhere", status: 404 });
    expect(typeof requests[0]!.durationMs).toBe("number");
  });

  it("finishes a request in flight when asked to stop, then exits 0", async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode("task\nslow upload\n"));
        await new Promise((resolve) => setTimeout(resolve, 300));
        controller.close();
      },
    });

    const upload = fetch(`${server.url}/todos/import`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body,
      duplex: "half",
    } as RequestInit);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exitCode = server.stop("SIGTERM");
    const response = await upload;

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ imported: 1 });
    expect(await exitCode).toBe(0);
    expect(server.logs.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(["shutting down", "stopped"]),
    );
  });

  it("refuses to start with a setting it cannot use, naming it", async () => {
    await expect(startServerProcess({ DATA_DIR: dataDir, TODO_STORE: "postgres" })).rejects.toThrow(
      /TODO_STORE/,
    );
  });
});

/** A request through node:http, which shows the framing headers fetch hides. */
function rawGet(
  url: string,
  method = "GET",
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { method }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    })
      .on("error", reject)
      .end();
  });
}
