import { describe, expect, it } from "vitest";
import { jsonReply, replyOf, toResponse } from "./responses.js";

describe("toResponse", () => {
  it("writes each header, and set-cookie value by value", () => {
    const response = toResponse({
      status: 200,
      headers: { "content-type": "text/plain", "set-cookie": ["a=1", "b=2"] },
      body: "hi",
    });

    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  it.each([
    ["no body", undefined],
    ["empty text", ""],
    ["no bytes", new Uint8Array()],
  ])("makes a response with a null body of %s", (_, body) => {
    const response = toResponse({ status: 204, ...(body === undefined ? {} : { body }) });

    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});

describe("replyOf", () => {
  it("reads the status, each header, set-cookie apart as its values, and the body's bytes", async () => {
    const headers = new Headers({ "content-type": "text/plain", "x-request-id": "r-1" });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");

    const reply = await replyOf(new Response("hi", { status: 201, headers }));

    expect(reply).toEqual({
      status: 201,
      headers: { "content-type": "text/plain", "x-request-id": "r-1", "set-cookie": ["a=1", "b=2"] },
      body: new TextEncoder().encode("hi"),
    });
  });

  it("leaves set-cookie and the body out when there are none", async () => {
    const reply = await replyOf(new Response(null, { status: 204, headers: { etag: '"1"' } }));

    expect(reply).toStrictEqual({ status: 204, headers: { etag: '"1"' } });
  });
});

describe("jsonReply", () => {
  it("answers JSON text with its content type, 200 unless told", () => {
    expect(jsonReply({ ok: true })).toEqual({
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"ok":true}',
    });
    expect(jsonReply([], 201, { location: "/todos/1" }).headers).toEqual({
      "content-type": "application/json",
      location: "/todos/1",
    });
  });
});
