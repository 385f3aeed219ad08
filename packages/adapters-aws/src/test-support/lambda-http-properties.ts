import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
import fc from "fast-check";
import { expect } from "vitest";
import { documentedProblemCodes } from "../../../../test/support/documented-problems.js";
import { STAMP, testTodoId, testTodos } from "../../../core/src/test-support/todos.js";
import type { LambdaHttpResult } from "../http/lambda-http-handler.js";

// What the Lambda HTTP handler's property tests share: core's API on a store both sides can build alike, what
// a result must be, and events' values set as JSON.parse sets them (the events themselves are built in
// test/support/aws/lambda-http-events.ts, for the repository's suites too). Test-only: the build leaves it out.

export type Json = unknown;

export const idOf = testTodoId;

/** Core's API on a store holding three todos (todo n at version n), with ids and times two instances give alike. */
export async function todoApi() {
  const todos = new InMemoryTodoRepository();
  await todos.putMany(testTodos(3, (n) => ({ version: n })));
  let next = 1000;
  return createTodoApi({
    todos,
    imports: new InMemoryImportLedger(),
    clock: { now: () => new Date(STAMP) },
    ids: { newId: () => idOf(next++) },
    cursorSecret: "a cursor secret of sixteen bytes or more",
  });
}

/** The codes the README's error table gives each status. */
const CODES_BY_STATUS = documentedProblemCodes();

/** The result's body as text, decoded from base64 when so marked. */
export function bodyText(result: LambdaHttpResult): string {
  return Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8").toString("utf8");
}

/** What API Gateway needs of a result, what every answer carries, and the documented problem of an error. */
export function expectWellFormed(result: LambdaHttpResult): void {
  expect(() => JSON.stringify(result)).not.toThrow();
  expect(Number.isInteger(result.statusCode)).toBe(true);
  expect(result.statusCode).toBeGreaterThanOrEqual(200);
  expect(result.statusCode).toBeLessThan(500);
  expect(typeof result.body).toBe("string");
  expect(typeof result.isBase64Encoded).toBe("boolean");
  for (const value of Object.values(result.headers ?? {})) expect(typeof value).toBe("string");
  if ("cookies" in result) expect(result.cookies?.every((cookie) => typeof cookie === "string")).toBe(true);
  if ("multiValueHeaders" in result) {
    for (const values of Object.values(result.multiValueHeaders ?? {})) {
      expect(values.every((value) => typeof value === "string")).toBe(true);
    }
  }
  expect(result.headers).toMatchObject({ "cache-control": "no-store", "x-content-type-options": "nosniff" });
  expect(result.headers?.["x-request-id"]).toMatch(/^[\w.:-]{1,128}$/);
  if (result.statusCode === 405) expect(result.headers?.allow).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  if (result.statusCode! < 400) return;
  expect(result.headers?.["content-type"]).toBe("application/problem+json");
  if (result.body === "") return; // HEAD
  const problem = JSON.parse(bodyText(result)) as { status: unknown; code: unknown };
  expect(problem.status).toBe(result.statusCode);
  expect(CODES_BY_STATUS[result.statusCode!]).toContain(problem.code);
}

/** Text of any kind, lone surrogates included. */
export const text = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 12 }));

/** Sets a key as JSON.parse would: an own property (even `__proto__`), to a value of its own. */
export function setOwn(target: Record<string, Json>, key: string, value: Json): void {
  const own = structuredClone(value);
  Object.defineProperty(target, key, { value: own, enumerable: true, configurable: true, writable: true });
}
