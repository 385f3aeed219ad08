import { createRequire } from "node:module";
import { corsOriginsFrom, isSerializedOrigin } from "@anycloud/core";
import { describe, expect, it } from "vitest";

// The checker serverless.yml reads the stage parameter corsOrigins through (the package test runs it inside the
// framework; here its rules, against core's).
const { corsOriginsOf, isSerializedOrigin: checkersRule } = createRequire(import.meta.url)(
  "../../apps/aws/scripts/cors-origins.cjs",
) as {
  corsOriginsOf: (value: unknown) => string;
  isSerializedOrigin: (value: string) => boolean;
};

describe("the corsOrigins stage parameter", () => {
  it.each([
    "https://todo.example.com",
    "http://localhost:5173",
    "http://[::1]:8080",
    "https://todo.example.com/",
    "https://Todo.example.com",
    "https://todo.example.com:443",
    "http://localhost:80",
    "https://todo.example.com/app",
    "todo.example.com",
    "ftp://files.example.com",
    "null",
    "*",
    "https://*",
    "https://*.example.com",
    "https://xn--bcher-kva.example",
    "https://bücher.example",
    "",
  ])("judges %j an origin as core does", (candidate) => {
    expect(checkersRule(candidate)).toBe(isSerializedOrigin(candidate));
  });

  it.each([
    "",
    " , ",
    "*",
    " https://todo.example.com , http://localhost:5173,http://[::1]:8080 ",
    "https://todo.example.com/",
    "https://Todo.example.com:443",
    "https://*.example.com",
    "todo.example.com",
    "null",
    "*, https://todo.example.com",
  ])("reads %j as core reads a list of origins, or refuses it with core's words", (value) => {
    const outcome = (read: () => string) => {
      try {
        return { origins: read() };
      } catch (error) {
        return { refused: (error as Error).message };
      }
    };

    expect(outcome(() => corsOriginsOf(value))).toEqual(
      outcome(() => corsOriginsFrom(value, "corsOrigins").join(",")),
    );
  });

  it("is off when unset or blank", () => {
    expect(corsOriginsOf(undefined)).toBe("");
    expect(corsOriginsOf("")).toBe("");
    expect(corsOriginsOf(" , ")).toBe("");
  });

  it("gives the origins without the blanks around them, as the template splits them", () => {
    expect(corsOriginsOf(" https://todo.example.com , http://localhost:5173,http://[::1]:8080 ")).toBe(
      "https://todo.example.com,http://localhost:5173,http://[::1]:8080",
    );
    expect(corsOriginsOf("*")).toBe("*");
  });

  it.each([
    [
      "https://todo.example.com/",
      /"https:\/\/todo\.example\.com\/" is not one \(did you mean https:\/\/todo\.example\.com\?\)/,
    ],
    ["https://Todo.example.com:443", /did you mean https:\/\/todo\.example\.com\?/],
    ["todo.example.com", /"todo\.example\.com" is not one\.$/],
    ["null", /"null" is not one\.$/],
    ["https://*.example.com", /"https:\/\/\*\.example\.com" is not one \(a pattern: list each origin/],
    ["https://*", /"https:\/\/\*" is not one \(a pattern/],
    ["*, https://todo.example.com", /must be \* alone/],
  ])("refuses %j, saying why", (value, reason) => {
    expect(() => corsOriginsOf(value)).toThrow(reason);
  });

  it("refuses a list that is not one string (a YAML sequence under params)", () => {
    expect(() => corsOriginsOf(["https://todo.example.com"])).toThrow(
      /one string of origins separated by commas/,
    );
  });
});
