import { describe, expect, it } from "vitest";
import { MalformedRequestError, MethodNotAllowedError, RouteNotFoundError } from "./http-errors.js";
import { Router } from "./router.js";

const ok = () => ({ status: 200, body: "ok" });

describe("Router", () => {
  const router = new Router()
    .on("POST", "/todos/import", ok)
    .on("GET", "/todos", ok)
    .on(["GET", "PATCH"], "/todos/{id}", ok);

  it("prefers a literal segment added before a parameter", () => {
    expect(() => router.resolve("GET", "/todos/import")).toThrow(MethodNotAllowedError);
    expect(router.resolve("GET", "/todos/123").params).toEqual({ id: "123" });
  });

  it("matches a literal segment whose unreserved characters are percent-encoded, as RFC 3986 makes them the same", () => {
    expect(router.resolve("GET", "/t%6Fdos").handler).toBe(ok);
    expect(router.resolve("POST", "/%74odos/imp%6frt").handler).toBe(ok);
    // Reserved or other characters encoded make another segment.
    expect(() => router.resolve("GET", "/todos%2F")).toThrow(RouteNotFoundError);
    expect(() => router.resolve("GET", "/todo%73%2Fx")).toThrow(RouteNotFoundError);
  });

  it("matches a literal segment holding a digit sent percent-encoded (a digit is unreserved too)", () => {
    const versioned = new Router().on("GET", "/v1/todos", ok);

    expect(versioned.resolve("GET", "/v%31/todos").handler).toBe(ok);
  });

  it("reads only a segment wrapped in braces as a parameter: one brace alone is literal", () => {
    const braces = new Router().on("GET", "/a/{open", ok).on("GET", "/b/close}", ok);

    expect(braces.resolve("GET", "/a/{open").params).toEqual({});
    expect(braces.resolve("GET", "/b/close}").params).toEqual({});
    expect(() => braces.resolve("GET", "/a/other")).toThrow(RouteNotFoundError);
    expect(() => braces.resolve("GET", "/b/other")).toThrow(RouteNotFoundError);
  });

  it("percent-decodes parameters", () => {
    expect(router.resolve("GET", "/todos/a%20b").params).toEqual({ id: "a b" });
  });

  it("answers a parameter of malformed percent-encoding as a malformed request, once the method fits", () => {
    expect(() => router.resolve("GET", "/todos/%E0%A4%A")).toThrow(
      expect.objectContaining({
        constructor: MalformedRequestError,
        message: "The path's id is not valid percent-encoding.",
        cause: expect.any(URIError),
      }),
    );
    expect(() => router.resolve("PUT", "/todos/%ZZ")).toThrow(MethodNotAllowedError);
  });

  it("lets HEAD run a GET handler and lists HEAD among the allowed methods", () => {
    expect(router.resolve("HEAD", "/todos").handler).toBe(ok);
    try {
      router.resolve("DELETE", "/todos/1");
      expect.unreachable();
    } catch (error) {
      expect((error as MethodNotAllowedError).allow).toEqual(["GET", "PATCH", "HEAD"]);
    }
  });

  it.each(["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"])(
    "answers a method named %s, which every object inherits, as not allowed",
    (method) => {
      expect(() => router.resolve(method, "/todos")).toThrow(MethodNotAllowedError);
    },
  );

  it("lists the methods of the route at a path as a 405's Allow does, and none where no route is", () => {
    expect(router.methodsAt("/todos/%ZZ")).toEqual(["GET", "PATCH", "HEAD"]);
    expect(router.methodsAt("/todos/import")).toEqual(["POST"]);
    expect(router.methodsAt("/todos/1/extra")).toBeUndefined();
  });

  it("throws RouteNotFoundError for a path with no route", () => {
    expect(() => router.resolve("GET", "/todos/1/extra")).toThrow(RouteNotFoundError);
  });
});
