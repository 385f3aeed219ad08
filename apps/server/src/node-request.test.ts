import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { httpRequestOf } from "./node-request.js";

function message(method: string, url: string, headers: Record<string, string | string[]>, body?: string) {
  const incoming = new IncomingMessage(new Socket());
  incoming.method = method;
  incoming.url = url;
  incoming.headers = headers;
  if (body !== undefined) incoming.push(body);
  incoming.push(null);
  return incoming;
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

describe("httpRequestOf's headers", () => {
  it("answers null for names that are Object's own properties, not headers", () => {
    const request = httpRequestOf(message("GET", "/", { host: "localhost" }));
    expect(request.headers.get("__proto__")).toBeNull();
    expect(request.headers.get("constructor")).toBeNull();
    expect(request.headers.get("toString")).toBeNull();
  });
});
