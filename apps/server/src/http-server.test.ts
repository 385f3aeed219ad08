import type { HttpApi, HttpRequest, Reply } from "@anycloud/core";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
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
});
