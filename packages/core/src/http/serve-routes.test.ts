import { describe, expect, it } from "vitest";
import type { HttpRequest } from "./http-request.js";
import { Router } from "./router.js";
import { httpApiOf, requestIdFrom, serveRoutes } from "./serve-routes.js";

const request = (fields: Partial<HttpRequest>): HttpRequest => ({
  method: "GET",
  url: "http://localhost/health",
  headers: new Headers(),
  body: null,
  ...fields,
});

async function* chunks(...texts: string[]): AsyncIterable<Uint8Array> {
  for (const text of texts) yield new TextEncoder().encode(text);
}

describe("serveRoutes", () => {
  const api = serveRoutes(new Router().on("GET", "/health", () => ({ status: 200, body: "ok" })));

  it("answers with the platform's request id when the caller sends none", async () => {
    const reply = await api.handle(request({ requestId: "platform-id-1" }));

    expect(reply.headers?.["x-request-id"]).toBe("platform-id-1");
  });

  it("answers a request target that is not a URL with 400 MALFORMED_REQUEST, saying so", async () => {
    const reply = await api.handle(request({ method: "OPTIONS", url: "*" }));

    expect(reply.status).toBe(400);
    expect(JSON.parse(String(reply.body))).toMatchObject({
      code: "MALFORMED_REQUEST",
      detail: "The request target is not a URL this API serves.",
    });
  });
});

describe("requestIdFrom", () => {
  it("passes over a missing candidate to the next well-formed one", () => {
    expect(requestIdFrom(null, "platform-id-2")).toBe("platform-id-2");
    expect(requestIdFrom(undefined, "a b", "platform-id-3")).toBe("platform-id-3");
  });
});

describe("httpApiOf", () => {
  /** A fetch-style API that answers with what it was sent. */
  const echo = httpApiOf(async (sent: Request) =>
    Response.json({ method: sent.method, tag: sent.headers.get("x-tag"), body: await sent.text() }),
  );
  const seen = async (fields: Partial<HttpRequest>) =>
    JSON.parse(new TextDecoder().decode((await echo.handle(request(fields))).body as Uint8Array));

  it("hands the API the method, headers and streamed body of a request that has one", async () => {
    const sent = await seen({
      method: "POST",
      headers: new Headers({ "x-tag": "t1" }),
      body: chunks("a,", "b"),
    });

    expect(sent).toEqual({ method: "POST", tag: "t1", body: "a,b" });
  });

  it.each(["GET", "HEAD"])("sends no body with %s, on which fetch refuses one", async (method) => {
    const reply = await echo.handle(request({ method, body: chunks("ignored") }));

    expect(reply.status).toBe(200);
  });

  it("hands the API the request's signal, so that it sees the request given up", async () => {
    const givenUp = new AbortController();
    givenUp.abort();
    const api = httpApiOf(async (sent: Request) => Response.json({ aborted: sent.signal.aborted }));

    const reply = await api.handle(request({ signal: givenUp.signal }));

    expect(JSON.parse(new TextDecoder().decode(reply.body as Uint8Array))).toEqual({ aborted: true });
  });

  it("is still the fetch-style API when called with a Request", async () => {
    const response = await echo(new Request("http://localhost/x", { headers: { "x-tag": "t2" } }));

    expect(await response.json()).toEqual({ method: "GET", tag: "t2", body: "" });
  });
});
