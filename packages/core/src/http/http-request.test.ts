import { describe, expect, it } from "vitest";
import { type HttpRequest, urlHostOf, withSignalOnDemand } from "./http-request.js";

describe("urlHostOf", () => {
  it.each([
    "localhost",
    "localhost:3000",
    "api.example.com",
    "my-host_1.internal:65535",
    "[::1]:8080",
    "[::ffff:127.0.0.1]",
  ])("takes %s, a host to build a URL on", (host) => {
    expect(urlHostOf(host)).toBe(host);
  });

  it.each([
    "",
    "example.com/path",
    "user@example.com",
    "exa mple.com",
    "example.com:port",
    "[::1",
    ".example.com",
    "example.com:123456",
  ])("refuses %j, which could move the path or is no host", (host) => {
    expect(urlHostOf(host)).toBeUndefined();
  });

  it("refuses what is no string (a repeated header as an array, none at all)", () => {
    expect(urlHostOf(["a.example", "b.example"])).toBeUndefined();
    // Each would pass as a host once turned into text.
    expect(urlHostOf(["api.example.com"])).toBeUndefined();
    expect(urlHostOf(8080)).toBeUndefined();
    expect(urlHostOf(undefined)).toBeUndefined();
  });
});

describe("withSignalOnDemand", () => {
  const request: HttpRequest = {
    method: "POST",
    url: "http://localhost/todos/import",
    headers: new Headers({ "content-type": "text/csv" }),
    body: null,
    requestId: "req-1",
  };

  it("makes the signal only when it is read, and keeps the rest of the request", () => {
    const controller = new AbortController();
    let made = 0;

    const lazy = withSignalOnDemand(request, () => {
      made++;
      return controller.signal;
    });

    expect(made).toBe(0);
    expect(lazy).toMatchObject({ method: "POST", url: request.url, body: null, requestId: "req-1" });
    expect(lazy.headers).toBe(request.headers);
    expect(lazy.signal).toBe(controller.signal);
    expect(made).toBe(1);
  });

  it("shows the signal as the request's own property, so that a copy of the request keeps it", () => {
    const controller = new AbortController();

    const copy = { ...withSignalOnDemand(request, () => controller.signal) };

    expect(copy.signal).toBe(controller.signal);
  });
});
