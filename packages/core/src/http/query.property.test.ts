import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { headersOf } from "../test-support/http-headers.js";
import { testTodos } from "../test-support/todos.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import type { Todo } from "../todos/todo.js";
import { createTodoApi } from "./create-todo-api.js";
import type { Reply } from "./responses.js";

const TOTAL = 30;

async function listingApi(cursorSecret = "a cursor secret of sixteen bytes or more") {
  const todos = new InMemoryTodoRepository();
  await todos.putMany(testTodos(TOTAL));
  return createTodoApi({ todos, imports: new InMemoryImportLedger(), cursorSecret });
}

/** `GET /todos` with the query as given (already encoded), through `handle` as a runtime calls it. */
function list(api: Awaited<ReturnType<typeof listingApi>>, search: string): Promise<Reply> {
  return api.handle({
    method: "GET",
    url: `http://localhost/todos${search}`,
    headers: headersOf([]),
    body: null,
  });
}

interface Page {
  items: Todo[];
  nextCursor: string | null;
}

const pageOf = (reply: Reply) => JSON.parse(String(reply.body)) as Page;
const codeOf = (reply: Reply) => (JSON.parse(String(reply.body)) as { code: string }).code;

const limitText = fc.oneof(
  fc.integer({ min: -5, max: 130 }).map(String),
  fc.constantFrom("01", "1e1", "10.0", "+5", " 5", "5 ", "0x10", "１０", "", "100", "101", "1000", "NaN"),
  fc.string({ maxLength: 4 }),
);

describe("GET /todos?limit= (property)", () => {
  it("answers a page of `limit` todos for a whole number from 1 to 100 given once, and 400 for any other", async () => {
    const api = await listingApi();
    await fc.assert(
      fc.asyncProperty(fc.array(limitText, { maxLength: 3 }), async (limits) => {
        const query = new URLSearchParams(limits.map((limit) => ["limit", limit]));

        const reply = await list(api, `?${query}`);

        const wanted = limits.length === 1 ? Number.parseInt(limits[0]!, 10) : undefined;
        const valid = limits.length === 0 || (String(wanted) === limits[0] && wanted! >= 1 && wanted! <= 100);
        if (valid) {
          expect(reply.status).toBe(200);
          expect(pageOf(reply).items).toHaveLength(Math.min(wanted ?? 20, TOTAL));
        } else {
          expect(reply.status).toBe(400);
          expect(codeOf(reply)).toBe("INVALID_PARAMETER");
        }
      }),
      propertyRuns(500),
    );
  });
});

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Ways to change a cursor's text. Each takes the cursor, another one of the same API and one of another's. */
type Tamper = (cursor: string, other: string, foreign: string) => string;

const position = fc.nat();
const character = fc.oneof(
  fc.constantFrom(...BASE64URL, ".", "=", "+", "/", " ", "%"),
  fc.string({ maxLength: 1 }),
);
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.tuple(position, character).map(
    ([at, char]): Tamper =>
      (cursor) => {
        const index = at % cursor.length;
        return `${cursor.slice(0, index)}${char}${cursor.slice(index + 1)}`;
      },
  ),
  fc.tuple(position, character).map(
    ([at, char]): Tamper =>
      (cursor) => {
        const index = at % (cursor.length + 1);
        return `${cursor.slice(0, index)}${char}${cursor.slice(index)}`;
      },
  ),
  position.map(
    (at): Tamper =>
      (cursor) =>
        cursor.slice(0, at % cursor.length),
  ),
  position.map(
    (at): Tamper =>
      (cursor) =>
        cursor.slice((at % (cursor.length - 1)) + 1),
  ),
  // A bit of the signed payload flipped, the payload written again as base64url, the mac kept.
  position.map(
    (at): Tamper =>
      (cursor) => {
        const [payload, mac] = cursor.split(".") as [string, string];
        const bytes = Buffer.from(payload, "base64url");
        const bit = at % (bytes.length * 8);
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        return `${bytes.toString("base64url")}.${mac}`;
      },
  ),
  // The payload of one cursor with the mac of another, a cursor signed under another secret, padding.
  fc.constant<Tamper>((cursor, other) => `${cursor.split(".")[0]}.${other.split(".")[1]}`),
  fc.constant<Tamper>((_, __, foreign) => foreign),
  fc.constant<Tamper>((cursor) => `${cursor}=`),
  fc.constant<Tamper>((cursor) => cursor.toUpperCase()),
  fc.constant<Tamper>((cursor) => cursor.replaceAll("-", "+").replaceAll("_", "/")),
  fc.constant<Tamper>((cursor) => `${cursor}${cursor}`),
);

describe("GET /todos?cursor= (property)", () => {
  it("refuses any change to a cursor it issued with 400 INVALID_CURSOR, never another page", async () => {
    const api = await listingApi();
    const foreignApi = await listingApi("another secret, also of sixteen bytes");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: TOTAL - 1 }),
        fc.integer({ min: 1, max: TOTAL - 1 }),
        tamper,
        fc.boolean(),
        async (limit, otherLimit, change, raw) => {
          const cursor = pageOf(await list(api, `?limit=${limit}`)).nextCursor!;
          const other = pageOf(await list(api, `?limit=${otherLimit}`)).nextCursor!;
          const foreign = pageOf(await list(foreignApi, `?limit=${limit}`)).nextCursor!;
          const changed = change(cursor, other, foreign);
          // As a client that encodes the query would send it, or as typed into a URL (where `&`, `#` or `+`
          // change what arrives: it must still be another cursor).
          const search = raw ? `?cursor=${changed}` : `?${new URLSearchParams({ cursor: changed })}`;
          fc.pre(new URL(`http://localhost/${search}`).searchParams.get("cursor") !== cursor);

          const reply = await list(api, search);

          expect(reply.status).toBe(400);
          expect(codeOf(reply)).toBe("INVALID_CURSOR");
        },
      ),
      propertyRuns(500),
    );
  });

  it("goes on from an unchanged cursor right after the page that issued it, whatever the page's size", async () => {
    const api = await listingApi();
    for (let limit = 1; limit < TOTAL; limit++) {
      const first = pageOf(await list(api, `?limit=${limit}`));

      const rest = pageOf(
        await list(api, `?limit=100&${new URLSearchParams({ cursor: first.nextCursor! })}`),
      );

      expect([...first.items, ...rest.items].map((todo) => todo.task)).toEqual(
        Array.from({ length: TOTAL }, (_, index) => `Task ${index + 1}`),
      );
      expect(rest.nextCursor).toBeNull();
    }
  });
});
