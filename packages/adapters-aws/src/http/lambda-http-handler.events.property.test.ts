import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HTTP_EVENT_FIXTURES, readEventFixture } from "../../../../test/support/aws/event-fixtures.js";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import {
  bodyText,
  expectWellFormed,
  type Json,
  setOwn,
  text,
  todoApi,
} from "../test-support/lambda-http-properties.js";
import { createLambdaHttpHandler } from "./lambda-http-handler.js";

// Properties of the Lambda HTTP handler over events that API Gateway and Function URLs send, changed in every
// way a directly invoked or misconfigured function may receive them, and over values that are no event at all.

const HTTP_FIXTURES = HTTP_EVENT_FIXTURES.map(readEventFixture);

/** Values that mean something to the translators, in the wrong place or broken. */
const telling = fc.constantFrom<unknown>(
  "",
  "/",
  "//",
  "/%",
  "/%zz",
  "/todos/%E0%A4%A",
  "/prod",
  "/prod/todos",
  "/dev/todos",
  "/todos?limit=1",
  "/todos#x",
  "/hello/a\u0000b",
  "/hello/\ud800",
  "/hello/%ED%A0%80",
  "GET",
  "get",
  "PATCH",
  "CONNECT",
  "trace",
  "2.0",
  "1.0",
  "$default",
  "dev",
  "prod",
  "true",
  "not base64!",
  "YWJj ZA",
  "QQ",
  "QQ==",
  "====",
  "1\r\nx-b: 2",
  "\u0100",
  "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
  "a.lambda-url.us-west-2.on.aws",
  "example.com:99999",
  "[::1]",
  "[::x]",
  "user@host",
  "application/json",
  "text/csv",
  '"1"',
  "limit=1&limit=2",
  "cursor=abc",
  true,
  false,
  0,
  -1,
  null,
  [],
  {},
  ["a"],
  [1],
  [null],
  { "": "x" },
);

/** Where a change goes: an existing key of the event, or one the translators read. */
const READ_KEYS = [
  "version",
  "httpMethod",
  "path",
  "rawPath",
  "rawQueryString",
  "cookies",
  "headers",
  "multiValueHeaders",
  "queryStringParameters",
  "multiValueQueryStringParameters",
  "body",
  "isBase64Encoded",
  "requestContext",
] as const;
const HEADER_NAMES = [
  "host",
  "Host",
  "HOST",
  "content-type",
  "Content-Type",
  "content-length",
  "content-encoding",
  "x-forwarded-proto",
  "cookie",
  "x-request-id",
  "if-match",
  "idempotency-key",
  "bad header",
  "",
  "x-ü",
  "__proto__",
] as const;

type Change = (event: Record<string, Json>) => void;

/** Every object reachable in `value`, with `value` first. */
function objectsIn(value: Json, found: Record<string, Json>[] = []): Record<string, Json>[] {
  if (typeof value !== "object" || value === null) return found;
  if (!Array.isArray(value)) found.push(value as Record<string, Json>);
  for (const child of Object.values(value)) objectsIn(child, found);
  return found;
}

const newValue = fc.oneof(
  { weight: 4, arbitrary: telling },
  { weight: 2, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const change: fc.Arbitrary<Change> = fc.oneof(
  // A field of the event or of an object in it: removed, or replaced.
  fc.tuple(fc.nat(), fc.nat(), fc.option(newValue, { nil: undefined, freq: 4 })).map(
    ([at, key, value]): Change =>
      (event) => {
        const objects = objectsIn(event);
        const target = objects[at % objects.length]!;
        const keys = Object.keys(target);
        if (keys.length === 0) return;
        const name = keys[key % keys.length]!;
        if (value === undefined) delete target[name];
        else setOwn(target, name, value);
      },
  ),
  // A field the translators read, set on the event.
  fc.tuple(fc.constantFrom(...READ_KEYS), newValue).map(
    ([name, value]): Change =>
      (event) =>
        setOwn(event, name, value),
  ),
  // A request header, in the single-value map, the multi-value one, or both.
  fc
    .tuple(
      fc.oneof(fc.constantFrom(...HEADER_NAMES), text),
      fc.oneof(newValue, fc.array(fc.oneof(telling, text), { maxLength: 3 })),
      fc.constantFrom("headers", "multiValueHeaders", "both"),
    )
    .map(
      ([name, value, where]): Change =>
        (event) => {
          for (const map of where === "both" ? ["headers", "multiValueHeaders"] : [where]) {
            const headers = event[map];
            if (typeof headers === "object" && headers !== null && !Array.isArray(headers)) {
              setOwn(
                headers as Record<string, Json>,
                name,
                map === "multiValueHeaders" ? [value].flat() : value,
              );
            } else setOwn(event, map, { [name]: value });
          }
        },
    ),
  // A body, as text or base64, valid or not.
  fc
    .tuple(
      fc.oneof(
        text,
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc.uint8Array({ maxLength: 40 }),
      ),
      fc.constantFrom<Json>(true, false, undefined, "true", 1),
    )
    .map(
      ([body, base64]): Change =>
        (event) => {
          setOwn(event, "body", typeof body === "string" ? body : Buffer.from(body).toString("base64"));
          if (base64 === undefined) delete event.isBase64Encoded;
          else setOwn(event, "isBase64Encoded", base64);
        },
    ),
);

/** A fixture, deep-copied, with some changes; through JSON, as Lambda delivers an event. */
const changedEvent = fc
  .tuple(fc.constantFrom(...HTTP_FIXTURES), fc.array(change, { minLength: 1, maxLength: 4 }))
  .map(([fixture, changes]) => {
    const event = structuredClone(fixture);
    for (const apply of changes) apply(event);
    return JSON.parse(JSON.stringify(event)) as Json;
  });

const context = fc.oneof(
  fc.constant(undefined),
  fc.constant({ awsRequestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd" }),
  fc.record({ awsRequestId: fc.oneof(text, fc.jsonValue()) }),
  fc.jsonValue(),
  // Time enough: an import stopped at its time limit is a documented 503 (TIME_LIMIT_REACHED).
  fc
    .oneof(
      fc.integer({ min: 60_000, max: 900_000 }),
      fc.constantFrom<unknown>(Number.NaN, 2 ** 40, "x", null),
    )
    .map((left) => ({ getRemainingTimeInMillis: () => left })),
);

describe("the Lambda HTTP handler, on any event (property)", () => {
  it("answers every changed event with a well-formed result, never a 5xx, and never throws", async () => {
    const handler = createLambdaHttpHandler(await todoApi());
    await fc.assert(
      fc.asyncProperty(changedEvent, context, async (event, invocation) => {
        expectWellFormed(await handler(event, invocation));
      }),
      propertyRuns(500),
    );
  });

  it("answers a value that is no HTTP event 400 MALFORMED_EVENT", async () => {
    const handler = createLambdaHttpHandler(await todoApi());
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), context, async (value, invocation) => {
        const result = await handler(value, invocation);

        expectWellFormed(result);
        expect(result.statusCode).toBe(400);
        expect(JSON.parse(bodyText(result))).toMatchObject({ code: "MALFORMED_EVENT" });
      }),
      propertyRuns(300),
    );
  });
});
