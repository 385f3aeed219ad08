import { describe, expect, it } from "vitest";
import { encodedPath, normaliseBasePath, stripPrefix } from "./event-request.js";
import { MalformedEventError } from "./malformed-event.js";

describe("encodedPath", () => {
  it("returns an already encoded path as it is, so encoding twice changes nothing", () => {
    const path = "/todos/a%20b/%E2%9C%93;v=1/~user@host:80";

    expect(encodedPath(path)).toBe(path);
    expect(encodedPath(encodedPath("/a b/ü?#%"))).toBe(encodedPath("/a b/ü?#%"));
  });

  it("encodes what only a decoded path holds", () => {
    expect(encodedPath("/a b/ü?x#y/100%/%zz")).toBe("/a%20b/%C3%BC%3Fx%23y/100%25/%25zz");
  });

  it("refuses a path that is not valid Unicode", () => {
    expect(() => encodedPath("/a\uD800b")).toThrow(MalformedEventError);
  });
});

describe("stripPrefix", () => {
  it.each([
    ["/dev/todos", "/dev", "/todos"],
    ["/dev", "/dev", "/"],
    ["/devices", "/dev", "/devices"],
    ["/todos", "/dev", "/todos"],
  ])("turns %s without %s into %s", (path, prefix, expected) => {
    expect(stripPrefix(path, prefix)).toBe(expected);
  });
});

describe("normaliseBasePath", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["/", undefined],
    ["api", "/api"],
    ["/api/", "/api"],
    ["/v1/todos", "/v1/todos"],
  ])("reads %j as %j", (option, expected) => {
    expect(normaliseBasePath(option)).toBe(expected);
  });
});
