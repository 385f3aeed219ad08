import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Sends a request to the API under test and returns its response: supplied by each runtime. */
export type Invoke = (request: Request) => Promise<Response>;

export interface ApiUnderTest {
  invoke: Invoke;
  dispose?: () => Promise<void>;
}

/** What a runtime under test was configured with, beyond the API itself. */
export interface BehaviourOptions {
  /** The runtime serves the API with CORS for `CORS_ORIGINS` (else CORS is off, the default). */
  cors?: boolean;
}

/**
 * The origins a runtime started with `{ cors: true }` allows (in core's `cors.origins`, or the server's
 * `CORS_ORIGINS` joined with commas).
 */
export const CORS_ORIGINS: readonly string[] = ["https://todo.example.com", "http://localhost:5173"];

const BASE = "http://localhost";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An ISO 8601 instant in UTC, to the millisecond, as `Date#toISOString` writes it. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The behaviour of the todo HTTP API, whatever runs it: core directly, the Node server over real HTTP, and
 * each provider's adapter. The tests share one instance and a store that may hold other data, so each test
 * creates what it asserts on and looks for its own todos only.
 */
export function describeTodoApiBehaviour(
  runtime: string,
  start: () => Promise<ApiUnderTest>,
  options: BehaviourOptions = {},
): void {
  describe(`the todo API on ${runtime}`, () => {
    let api: ApiUnderTest;
    beforeAll(async () => {
      api = await start();
    });
    afterAll(async () => {
      await api?.dispose?.();
    });

    const send = (path: string, init: RequestInit = {}) => api.invoke(new Request(new URL(path, BASE), init));
    const sendJson = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      send(path, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const createTodo = async (fields: Record<string, unknown>) => {
      const response = await sendJson("POST", "/todos", fields);
      expect(response.status).toBe(201);
      return (await response.json()) as Record<string, unknown> & { id: string; version: number };
    };
    const listAll = async (limit: number) => {
      const seen: { id: string; task: string }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
        const response = await send(`/todos?limit=${limit}${query}`);
        expect(response.status).toBe(200);
        const page = (await response.json()) as {
          items: { id: string; task: string }[];
          nextCursor: string | null;
        };
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return seen;
    };
    const expectProblem = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await response.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status, code });
      expect(typeof problem.title).toBe("string");
      expect(typeof problem.detail).toBe("string");
      return problem;
    };
    const tasksMatching = async (marker: string) =>
      (await listAll(100)).filter((todo) => todo.task.includes(marker));

    describe("the workshop's routes", () => {
      it("greets the world on GET /hello, echoing a description of the request", async () => {
        const response = await send("/hello?lang=en");

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          message: "Hello World !",
          input: { method: "GET", path: "/hello", query: { lang: "en" } },
        });
      });

      it("greets a person by the percent-decoded name in the path", async () => {
        const response = await send("/hello/Jane%20Doe");

        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ message: "Hello Jane Doe !" });
      });

      it("counts a name's characters as a todo's name does: 100 emoji greet, 101 do not", async () => {
        const emoji = (count: number) => encodeURIComponent("\u{1F600}".repeat(count));

        const fits = await send(`/hello/${emoji(100)}`);
        const tooLong = await send(`/hello/${emoji(101)}`);

        expect(fits.status).toBe(200);
        expect(await fits.json()).toMatchObject({ message: `Hello ${"\u{1F600}".repeat(100)} !` });
        await expectProblem(tooLong, 422, "VALIDATION_FAILED");
      });

      it.each([
        ["reverses its own text (a right-to-left override)", "\u202eevil"],
        ["shows nothing (a zero-width space)", "\u200b"],
      ])("refuses to greet a name that %s", async (_, name) => {
        const response = await send(`/hello/${encodeURIComponent(name)}`);

        await expectProblem(response, 422, "VALIDATION_FAILED");
      });

      it("adds the workshop's task.json with POST /todo/add and answers its original shape", async () => {
        const response = await sendJson("POST", "/todo/add", {
          task: "check serverless.com docs",
          name: "John Doe",
          dueDate: "01-11-2017",
        });

        expect(response.status).toBe(200);
        const body = (await response.json()) as { message: string; Item: Record<string, unknown> };
        expect(body.message).toBe("Task added.");
        expect(body.Item).toMatchObject({
          task: "check serverless.com docs",
          name: "John Doe",
          dueDate: "2017-11-01",
          checked: false,
          version: 1,
        });
        expect(body.Item.id).toMatch(UUID);
      });

      it("lists every todo as a plain array on GET /todo/list", async () => {
        const created = await createTodo({ task: "listed by the workshop route" });

        const response = await send("/todo/list");

        expect(response.status).toBe(200);
        const items = (await response.json()) as { id: string }[];
        expect(Array.isArray(items)).toBe(true);
        expect(items.filter((item) => item.id === created.id)).toHaveLength(1);
        // Every todo, not only the one made here: the same ones the REST route pages through (the store holds
        // far fewer than the 1,000 the route cuts at).
        const ids = (todos: { id: string }[]) => todos.map((todo) => todo.id).sort();
        expect(ids(items)).toEqual(ids(await listAll(100)));
      });
    });

    describe("the REST routes", () => {
      it("creates a todo with 201, a Location and an ETag, and serves it there", async () => {
        const before = Date.now();
        const response = await sendJson("POST", "/todos", {
          task: "  Write the README  ",
          dueDate: "2026-12-01",
        });
        const after = Date.now();

        expect(response.status).toBe(201);
        const todo = (await response.json()) as Record<string, unknown>;
        expect(todo).toMatchObject({
          task: "Write the README",
          name: null,
          dueDate: "2026-12-01",
          checked: false,
          version: 1,
          createdAt: expect.stringMatching(ISO_UTC),
        });
        // Made when it was asked for, and not updated since.
        expect(Date.parse(todo.createdAt as string)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(todo.createdAt as string)).toBeLessThanOrEqual(after);
        expect(todo.updatedAt).toBe(todo.createdAt);
        expect(response.headers.get("location")).toBe(`/todos/${todo.id}`);
        expect(response.headers.get("etag")).toBe('"1"');
        const fetched = await send(response.headers.get("location")!);
        expect(fetched.status).toBe(200);
        expect(await fetched.json()).toEqual(todo);
      });

      it("pages through GET /todos with opaque cursors, visiting each todo exactly once", async () => {
        const marker = `page-${Date.now()}`;
        const created = [];
        for (let index = 0; index < 7; index++)
          created.push(await createTodo({ task: `${marker} ${index}` }));

        const seen = await listAll(3);

        const ids = seen.map((todo) => todo.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const todo of created) expect(ids).toContain(todo.id);
      });

      it("updates only the fields sent with PATCH, and null clears a field", async () => {
        const todo = await createTodo({ task: "patch me", name: "Ann", dueDate: "2026-01-31" });
        // A millisecond later at least, so that an update stamped with the creation time would show.
        while (Date.now() <= Date.parse(todo.updatedAt as string))
          await new Promise((resolve) => setTimeout(resolve, 1));

        const before = Date.now();
        const response = await sendJson("PATCH", `/todos/${todo.id}`, { checked: true, name: null });
        const after = Date.now();

        expect(response.status).toBe(200);
        const patched = (await response.json()) as Record<string, unknown>;
        expect(patched).toMatchObject({
          id: todo.id,
          task: "patch me",
          name: null,
          dueDate: "2026-01-31",
          checked: true,
          version: 2,
          createdAt: todo.createdAt,
          updatedAt: expect.stringMatching(ISO_UTC),
        });
        // Stamped by the update, its creation time kept.
        expect(Date.parse(patched.updatedAt as string)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(patched.updatedAt as string)).toBeLessThanOrEqual(after);
        expect(response.headers.get("etag")).toBe('"2"');
      });

      it("answers 412 to a PATCH whose If-Match names an old version, and changes nothing", async () => {
        const todo = await createTodo({ task: "contended" });
        const first = await sendJson(
          "PATCH",
          `/todos/${todo.id}`,
          { task: "first writer" },
          { "if-match": '"1"' },
        );
        expect(first.status).toBe(200);

        const second = await sendJson(
          "PATCH",
          `/todos/${todo.id}`,
          { task: "second writer" },
          { "if-match": '"1"' },
        );

        await expectProblem(second, 412, "VERSION_CONFLICT");
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({
          task: "first writer",
          version: 2,
        });
      });

      it("answers 412 to a PATCH whose If-Match holds but whose body version is stale, and changes nothing", async () => {
        const todo = await createTodo({ task: "two preconditions" });

        const response = await sendJson(
          "PATCH",
          `/todos/${todo.id}`,
          { checked: true, version: 7 },
          { "if-match": '"1"' },
        );

        await expectProblem(response, 412, "VERSION_CONFLICT");
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({ checked: false, version: 1 });
      });

      it("answers a PATCH's stale If-Match with 412, and an unknown todo with 404, when its body also fails", async () => {
        // RFC 9110 §13.2.1: preconditions are evaluated before the content is processed (a body refused on its
        // headers alone, 415 or 413, is refused first).
        const todo = await createTodo({ task: "preconditions first" });
        const patch = (id: string, body: string, ifMatch: string, type = "application/json") =>
          send(`/todos/${id}`, {
            method: "PATCH",
            headers: { "content-type": type, "if-match": ifMatch },
            body,
          });

        await expectProblem(await patch(todo.id, '{"task": ""}', '"7"'), 412, "VERSION_CONFLICT");
        await expectProblem(await patch(todo.id, "{not json", '"7"'), 412, "VERSION_CONFLICT");
        await expectProblem(await patch(todo.id, '{"owner": "me"}', '"7"'), 412, "VERSION_CONFLICT");
        const unknown = "00000000-0000-4000-8000-000000000000";
        await expectProblem(await patch(unknown, '{"task": ""}', '"1"'), 404, "TODO_NOT_FOUND");
        await expectProblem(await patch(unknown, "{not json", "*"), 404, "TODO_NOT_FOUND");
        await expectProblem(
          await patch(todo.id, '{"task": "x"}', '"7"', "text/plain"),
          415,
          "UNSUPPORTED_MEDIA_TYPE",
        );
        // With the precondition met, the body's faults are what is wrong.
        await expectProblem(await patch(todo.id, '{"task": ""}', '"1"'), 422, "VALIDATION_FAILED");
        await expectProblem(await patch(todo.id, "{not json", "*"), 400, "MALFORMED_JSON");
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({
          task: "preconditions first",
          version: 1,
        });
      });

      it("compares If-Match strongly: a weak tag or one never issued answers 412, and changes nothing", async () => {
        const todo = await createTodo({ task: "weak tags" });

        for (const ifMatch of ['W/"1"', '"abc"', 'W/"1", "0"']) {
          const response = await sendJson(
            "PATCH",
            `/todos/${todo.id}`,
            { checked: true },
            { "if-match": ifMatch },
          );
          await expectProblem(response, 412, "VERSION_CONFLICT");
        }
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({ checked: false, version: 1 });
      });

      it("applies a PATCH whose If-Match lists the current version among others", async () => {
        const todo = await createTodo({ task: "listed tags" });

        const response = await sendJson(
          "PATCH",
          `/todos/${todo.id}`,
          { checked: true },
          { "if-match": 'W/"1", "7" , "1"' },
        );

        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ checked: true, version: 2 });
      });

      it("accepts the expected version in the PATCH body as well", async () => {
        const todo = await createTodo({ task: "versioned in body" });

        const stale = await sendJson("PATCH", `/todos/${todo.id}`, { checked: true, version: 7 });
        const current = await sendJson("PATCH", `/todos/${todo.id}`, { checked: true, version: 1 });

        await expectProblem(stale, 412, "VERSION_CONFLICT");
        expect(current.status).toBe(200);
      });

      it("deletes with 204, after which the todo is gone", async () => {
        const todo = await createTodo({ task: "delete me" });

        const response = await send(`/todos/${todo.id}`, { method: "DELETE" });

        expect(response.status).toBe(204);
        expect(await response.text()).toBe("");
        await expectProblem(await send(`/todos/${todo.id}`), 404, "TODO_NOT_FOUND");
        await expectProblem(await send(`/todos/${todo.id}`, { method: "DELETE" }), 404, "TODO_NOT_FOUND");
      });

      it("refuses a DELETE whose If-Match is stale", async () => {
        const todo = await createTodo({ task: "guarded delete" });

        const response = await send(`/todos/${todo.id}`, {
          method: "DELETE",
          headers: { "if-match": '"5"' },
        });

        await expectProblem(response, 412, "VERSION_CONFLICT");
        expect((await send(`/todos/${todo.id}`)).status).toBe(200);
      });

      it("deletes only when the If-Match list names the current version", async () => {
        const todo = await createTodo({ task: "listed delete" });
        const del = (ifMatch: string) =>
          send(`/todos/${todo.id}`, { method: "DELETE", headers: { "if-match": ifMatch } });

        await expectProblem(await del('"4", "5"'), 412, "VERSION_CONFLICT");
        await expectProblem(await del('W/"1"'), 412, "VERSION_CONFLICT");
        expect((await send(`/todos/${todo.id}`)).status).toBe(200);
        expect((await del('"4", "1"')).status).toBe(204);
        expect((await send(`/todos/${todo.id}`)).status).toBe(404);
      });

      it("refuses a PATCH or DELETE whose If-None-Match names the current version (weakly) or is *, and changes nothing", async () => {
        // RFC 9110 §13.1.2: for a method other than GET and HEAD, a false If-None-Match is 412.
        const todo = await createTodo({ task: "none match" });

        for (const ifNoneMatch of ['"1"', 'W/"1"', '"7", "1"', "*"]) {
          const patched = await sendJson(
            "PATCH",
            `/todos/${todo.id}`,
            { checked: true },
            { "if-none-match": ifNoneMatch },
          );
          const deleted = await send(`/todos/${todo.id}`, {
            method: "DELETE",
            headers: { "if-none-match": ifNoneMatch },
          });
          await expectProblem(patched, 412, "VERSION_CONFLICT");
          await expectProblem(deleted, 412, "VERSION_CONFLICT");
        }
        // As with If-Match, the precondition is answered before a body at fault.
        const invalid = await send(`/todos/${todo.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json", "if-none-match": "*" },
          body: '{"task": ""}',
        });
        await expectProblem(invalid, 412, "VERSION_CONFLICT");
        // A malformed one is refused as a malformed If-Match is.
        await expectProblem(
          await sendJson("PATCH", `/todos/${todo.id}`, { checked: true }, { "if-none-match": "1" }),
          400,
          "INVALID_PARAMETER",
        );
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({ checked: false, version: 1 });

        const applied = await sendJson(
          "PATCH",
          `/todos/${todo.id}`,
          { checked: true },
          { "if-none-match": '"7"' },
        );
        expect(applied.status).toBe(200);
        expect(await applied.json()).toMatchObject({ checked: true, version: 2 });
        const deleted = await send(`/todos/${todo.id}`, {
          method: "DELETE",
          headers: { "if-none-match": '"1"' },
        });
        expect(deleted.status).toBe(204);
      });

      it("answers a GET whose If-None-Match names the current version 304 with its ETag, and one whose If-Match does not 412", async () => {
        const todo = await createTodo({ task: "cached copy" });

        for (const ifNoneMatch of ['"1"', 'W/"1"', '"3", "1"', "*"]) {
          const response = await send(`/todos/${todo.id}`, { headers: { "if-none-match": ifNoneMatch } });
          expect(response.status).toBe(304);
          expect(response.headers.get("etag")).toBe('"1"');
          expect(response.headers.get("cache-control")).toBe("no-store");
          expect(await response.text()).toBe("");
        }
        const changed = await send(`/todos/${todo.id}`, { headers: { "if-none-match": '"0"' } });
        expect(changed.status).toBe(200);
        expect(await changed.json()).toMatchObject({ id: todo.id, version: 1 });

        await expectProblem(
          await send(`/todos/${todo.id}`, { headers: { "if-match": '"2"' } }),
          412,
          "VERSION_CONFLICT",
        );
        expect((await send(`/todos/${todo.id}`, { headers: { "if-match": '"1"' } })).status).toBe(200);
        // A malformed tag is read as no precondition on a GET (some clients send a bare 1), and an unknown id is
        // 404 whatever its preconditions.
        expect((await send(`/todos/${todo.id}`, { headers: { "if-none-match": "1" } })).status).toBe(200);
        // Only the malformed one: the other precondition still holds or fails (RFC 9110 §13.1).
        await expectProblem(
          await send(`/todos/${todo.id}`, { headers: { "if-match": '"2"', "if-none-match": "1" } }),
          412,
          "VERSION_CONFLICT",
        );
        const cached = await send(`/todos/${todo.id}`, {
          headers: { "if-match": "1", "if-none-match": '"1"' },
        });
        expect(cached.status).toBe(304);
        const unknown = `/todos/${todo.id.slice(0, -4)}0000`;
        const preconditions: Record<string, string>[] = [
          { "if-none-match": "1" },
          { "if-match": '"1"' },
          { "if-none-match": "*" },
        ];
        for (const headers of preconditions) {
          await expectProblem(await send(unknown, { headers }), 404, "TODO_NOT_FOUND");
        }
      });

      it("reads an id in upper case as the same todo (UUID text is case-insensitive)", async () => {
        const todo = await createTodo({ task: "shouted id" });
        const shouted = `/todos/${todo.id.toUpperCase()}`;

        const got = await send(shouted);
        const patched = await sendJson("PATCH", shouted, { checked: true });
        const deleted = await send(shouted, { method: "DELETE" });

        expect(got.status).toBe(200);
        expect(((await got.json()) as { id: string }).id).toBe(todo.id);
        expect(patched.status).toBe(200);
        expect(deleted.status).toBe(204);
        expect((await send(`/todos/${todo.id}`)).status).toBe(404);
      });

      it("answers HEAD with GET's status and headers and no body", async () => {
        const todo = await createTodo({ task: "headed" });

        const response = await send(`/todos/${todo.id}`, { method: "HEAD" });

        expect(response.status).toBe(200);
        expect(response.headers.get("etag")).toBe('"1"');
        expect(await response.text()).toBe("");
      });

      it("reports health", async () => {
        const response = await send("/health");

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ status: "ok" });
      });

      it("reports itself ready when its store answers", async () => {
        const response = await send("/ready");

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ status: "ready" });
      });
    });

    describe("every response", () => {
      it.each([
        ["a success", "/health"],
        ["an error", "/no/such/route"],
      ])("carries no-store, nosniff and a request id on %s", async (_, path) => {
        const response = await send(path);

        expect(response.headers.get("cache-control")).toBe("no-store");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        // A new UUID here, or the platform's id for the request (Lambda's awsRequestId): well-formed either way.
        expect(response.headers.get("x-request-id")).toMatch(/^[\w.:-]{1,128}$/);
      });

      it("echoes a well-formed x-request-id from the caller", async () => {
        const response = await send("/health", { headers: { "x-request-id": "trace-123" } });

        expect(response.headers.get("x-request-id")).toBe("trace-123");
      });
    });

    describe(
      options.cors ? "browser access (CORS), for the origins configured" : "browser access (CORS), off",
      () => {
        const [page] = CORS_ORIGINS as [string];
        const preflight = (path: string, origin: string, method: string, requestHeaders: string) =>
          send(path, {
            method: "OPTIONS",
            headers: {
              origin,
              "access-control-request-method": method,
              "access-control-request-headers": requestHeaders,
            },
          });
        const namesIn = (value: string | null) => (value ?? "").split(/,\s*/).filter(Boolean).sort();
        const corsHeaderNames = (response: Response) =>
          [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));

        if (!options.cors) {
          it("answers a preflight 405 with Allow, and no answer carries a CORS header", async () => {
            const response = await preflight("/todos", page, "POST", "content-type");
            const created = await sendJson("POST", "/todos", { task: "no CORS" }, { origin: page });

            await expectProblem(response, 405, "METHOD_NOT_ALLOWED");
            expect(namesIn(response.headers.get("allow"))).toEqual(["GET", "HEAD", "POST"]);
            expect(corsHeaderNames(response)).toEqual([]);
            expect(created.status).toBe(201);
            expect(corsHeaderNames(created)).toEqual([]);
          });
          return;
        }

        it("answers a page's preflight for a conditional PATCH 204, allowing its method and headers", async () => {
          const todo = await createTodo({ task: "patched from a page" });

          const response = await preflight(`/todos/${todo.id}`, page, "PATCH", "content-type,if-match");

          expect(response.status).toBe(204);
          expect(response.headers.get("access-control-allow-origin")).toBe(page);
          expect(namesIn(response.headers.get("access-control-allow-methods"))).toEqual([
            "DELETE",
            "GET",
            "HEAD",
            "PATCH",
          ]);
          expect(namesIn(response.headers.get("access-control-allow-headers"))).toEqual(
            expect.arrayContaining(["content-type", "idempotency-key", "if-match", "x-request-id"]),
          );
          expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
          expect(namesIn(response.headers.get("vary"))).toContain("origin");
        });

        it("lets a page read a created todo's Location, ETag and request id", async () => {
          const response = await sendJson(
            "POST",
            "/todos",
            { task: "created from a page" },
            { origin: page },
          );

          expect(response.status).toBe(201);
          expect(response.headers.get("access-control-allow-origin")).toBe(page);
          expect(namesIn(response.headers.get("access-control-expose-headers"))).toEqual(
            expect.arrayContaining(["etag", "location", "x-request-id"]),
          );
          expect(namesIn(response.headers.get("vary"))).toContain("origin");
        });

        it("lets a page read an error: the problem of a 422 and the Allow of a 405", async () => {
          const invalid = await sendJson("POST", "/todos", { task: "" }, { origin: page });
          const wrongMethod = await send("/todos", { method: "PUT", headers: { origin: page } });

          await expectProblem(invalid, 422, "VALIDATION_FAILED");
          expect(invalid.headers.get("access-control-allow-origin")).toBe(page);
          await expectProblem(wrongMethod, 405, "METHOD_NOT_ALLOWED");
          expect(wrongMethod.headers.get("access-control-allow-origin")).toBe(page);
          expect(namesIn(wrongMethod.headers.get("access-control-expose-headers"))).toContain("allow");
        });

        it("gives a page on another origin no CORS header: its preflight is 405, its requests unreadable", async () => {
          const stranger = "https://elsewhere.example";

          const response = await preflight("/todos", stranger, "POST", "content-type");
          const health = await send("/health", { headers: { origin: stranger } });

          await expectProblem(response, 405, "METHOD_NOT_ALLOWED");
          expect(corsHeaderNames(response)).toEqual([]);
          expect(health.status).toBe(200);
          expect(corsHeaderNames(health)).toEqual([]);
          expect(namesIn(health.headers.get("vary"))).toContain("origin");
        });

        it("answers a preflight for a path with no route 404, which the page may read", async () => {
          const response = await preflight("/nothing-here", page, "GET", "x-request-id");

          await expectProblem(response, 404, "ROUTE_NOT_FOUND");
          expect(response.headers.get("access-control-allow-origin")).toBe(page);
        });
      },
    );

    describe("bad input gets a clear error and changes nothing", () => {
      it("answers 400 to malformed JSON", async () => {
        const marker = `malformed-${Date.now()}`;
        const response = await send("/todos", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"task": "${marker}"`,
        });

        await expectProblem(response, 400, "MALFORMED_JSON");
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("answers 400 to a body of thousands of nested arrays, which it does not parse", async () => {
        const depth = 20_000;
        const response = await send("/todos", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"task":${"[".repeat(depth)}${"]".repeat(depth)}}`,
        });

        const problem = await expectProblem(response, 400, "MALFORMED_JSON");
        expect(problem.detail).toMatch(/more than 1000 objects and arrays/);
      });

      it("answers 422 with the field paths when the schema is broken", async () => {
        const response = await sendJson("POST", "/todos", {
          task: "",
          dueDate: "31-02-2020",
          checked: "yes",
        });

        const problem = await expectProblem(response, 422, "VALIDATION_FAILED");
        const paths = (problem.errors as { path: string[] }[]).map((issue) => issue.path.join("."));
        expect(paths).toEqual(expect.arrayContaining(["task", "dueDate", "checked"]));
      });

      it("says a field of the wrong type must be of its type, and a missing one is required", async () => {
        const wrongTypes = await sendJson("POST", "/todos", { task: 5, checked: null });
        const missing = await sendJson("POST", "/todos", { name: "Ann" });
        const notAnObject = await sendJson("POST", "/todos", []);

        const messages = async (response: Response) =>
          (
            (await expectProblem(response, 422, "VALIDATION_FAILED")).errors as {
              path: string[];
              message: string;
            }[]
          ).map(({ path, message }) => `${path.join(".") || "(root)"}: ${message}`);
        expect(await messages(wrongTypes)).toEqual(["task: must be a string", "checked: must be a boolean"]);
        expect(await messages(missing)).toEqual(["task: is required"]);
        expect(await messages(notAnObject)).toEqual(["(root): must be an object"]);
      });

      it("answers 422 to a task with a lone surrogate, which no store could read back as sent", async () => {
        const marker = `surrogate-${Date.now()}`;
        // JSON.stringify escapes the lone surrogate as \ud800: the bytes on the wire are valid UTF-8.
        const response = await sendJson("POST", "/todos", { task: `${marker} \ud800` });

        const problem = await expectProblem(response, 422, "VALIDATION_FAILED");
        expect(problem.errors).toEqual([expect.objectContaining({ path: ["task"] })]);
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("answers 422 to unknown fields instead of storing them (no mass assignment)", async () => {
        const marker = `mass-${Date.now()}`;
        const response = await sendJson("POST", "/todos", {
          task: marker,
          id: "chosen-by-caller",
          version: 99,
        });

        const problem = await expectProblem(response, 422, "VALIDATION_FAILED");
        const paths = (problem.errors as { path: string[] }[]).map((issue) => issue.path.join("."));
        expect(paths).toEqual(expect.arrayContaining(["id", "version"]));
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("lists the first 20 problems of a body with thousands, in an answer smaller than the body", async () => {
        const marker = `many-${Date.now()}`;
        const fields = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`f${index}`, 0]));
        const body = JSON.stringify({ task: marker, ...fields });

        const response = await send("/todos", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });

        const text = await response.clone().text();
        const problem = await expectProblem(response, 422, "VALIDATION_FAILED");
        expect(problem.errors).toHaveLength(20);
        expect(problem.errorsTruncated).toBe(true);
        expect(problem.detail).toMatch(/and 2980 more/);
        expect(text.length).toBeLessThan(body.length);
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("answers 415 to a body that is not JSON", async () => {
        const response = await send("/todos", {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: '{"task":"x"}',
        });

        await expectProblem(response, 415, "UNSUPPORTED_MEDIA_TYPE");
      });

      it("answers 413 to a body over the limit", async () => {
        const response = await sendJson("POST", "/todos", { task: "x".repeat(1024 * 1024) });

        await expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
      });

      it("answers 404 to an unknown route", async () => {
        await expectProblem(await send("/nothing-here"), 404, "ROUTE_NOT_FOUND");
      });

      it("serves a route whose path has unreserved characters percent-encoded (RFC 3986: the same path)", async () => {
        const response = await send("/t%6Fdos?limit=1");

        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ items: expect.any(Array) });
      });

      it("answers 405 with Allow to a method the route does not take", async () => {
        const response = await send("/todos", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: "{}",
        });

        await expectProblem(response, 405, "METHOD_NOT_ALLOWED");
        expect(response.headers.get("allow")?.split(/,\s*/).sort()).toEqual(["GET", "HEAD", "POST"]);
      });

      it("answers 400 to a tampered cursor", async () => {
        for (let index = 0; index < 3; index++) await createTodo({ task: `cursor source ${index}` });
        const page = (await (await send("/todos?limit=1")).json()) as { nextCursor: string };
        const [payload, mac] = page.nextCursor.split(".");
        const tampered = `${Buffer.from('["1970-01-01T00:00:00.000Z","0"]').toString("base64url")}.${mac}`;

        await expectProblem(
          await send(`/todos?cursor=${encodeURIComponent(tampered)}`),
          400,
          "INVALID_CURSOR",
        );
        await expectProblem(await send(`/todos?cursor=${payload}`), 400, "INVALID_CURSOR");
        await expectProblem(await send("/todos?cursor=garbage"), 400, "INVALID_CURSOR");
      });

      it("answers 400 to a limit out of range, naming the parameter", async () => {
        for (const limit of ["0", "1000", "ten", "002"]) {
          const problem = await expectProblem(await send(`/todos?limit=${limit}`), 400, "INVALID_PARAMETER");
          expect(problem.parameter).toBe("limit");
        }
      });

      it("answers 400 to a query parameter sent twice, whichever value comes first", async () => {
        for (const [query, parameter] of [
          ["limit=2&limit=999", "limit"],
          ["limit=999&limit=2", "limit"],
          ["cursor=a&cursor=b", "cursor"],
        ]) {
          const problem = await expectProblem(await send(`/todos?${query}`), 400, "INVALID_PARAMETER");
          expect(problem.parameter).toBe(parameter);
        }
      });

      it("answers 400 to a JSON body that names a field twice, and stores neither", async () => {
        const marker = `twice-${Date.now()}`;
        const response = await send("/todos", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"task":"${marker} first","task":"${marker} second"}`,
        });

        await expectProblem(response, 400, "MALFORMED_JSON");
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("answers 415 to a JSON Patch, which is not the merge patch PATCH takes, saying in Accept-Patch which are", async () => {
        const todo = await createTodo({ task: "json patch target" });

        const response = await send(`/todos/${todo.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json-patch+json" },
          body: JSON.stringify([{ op: "replace", path: "/task", value: "patched" }]),
        });
        const merged = await send(`/todos/${todo.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/merge-patch+json" },
          body: JSON.stringify({ task: "merged" }),
        });

        const utf16 = await send(`/todos/${todo.id}`, {
          method: "PATCH",
          headers: { "content-type": "application/merge-patch+json; charset=utf-16" },
          body: JSON.stringify({ task: "wide" }),
        });

        await expectProblem(response, 415, "UNSUPPORTED_MEDIA_TYPE");
        // RFC 5789 §2.2; only a PATCH's 415 lists patch formats, whether it refused the type or its charset.
        expect(response.headers.get("accept-patch")).toBe("application/json, application/merge-patch+json");
        await expectProblem(utf16, 415, "UNSUPPORTED_MEDIA_TYPE");
        expect(utf16.headers.get("accept-patch")).toBe("application/json, application/merge-patch+json");
        expect(merged.status).toBe(200);
        const post = await send("/todos", {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: "{}",
        });
        await expectProblem(post, 415, "UNSUPPORTED_MEDIA_TYPE");
        expect(post.headers.has("accept-patch")).toBe(false);
      });

      it("says what a version must be when it is not one", async () => {
        const todo = await createTodo({ task: "versioned" });
        const messages = async (version: unknown) => {
          const problem = await expectProblem(
            await sendJson("PATCH", `/todos/${todo.id}`, { task: "x", version }),
            422,
            "VALIDATION_FAILED",
          );
          return (problem.errors as { message: string }[]).map((issue) => issue.message);
        };

        expect(await messages(0)).toEqual(["must be at least 1"]);
        expect(await messages(1.5)).toEqual(["must be a whole number"]);
        expect(await messages(2 ** 53 + 2)).toEqual(["must be a whole number from 1 to 2^53 - 1"]);
      });

      it("answers 400 to a malformed id and 404 to an unknown one", async () => {
        await expectProblem(await send("/todos/not-a-uuid"), 400, "INVALID_ID");
        await expectProblem(await send("/todos/00000000-0000-4000-8000-000000000000"), 404, "TODO_NOT_FOUND");
      });

      it("answers 400 to a malformed If-Match", async () => {
        const todo = await createTodo({ task: "if-match target" });

        for (const ifMatch of ["version one", "1", '"1', '"1" "2"', '"1";', ","]) {
          const response = await sendJson(
            "PATCH",
            `/todos/${todo.id}`,
            { checked: true },
            { "if-match": ifMatch },
          );
          expect((await expectProblem(response, 400, "INVALID_PARAMETER")).parameter).toBe("If-Match");
        }
        expect(await (await send(`/todos/${todo.id}`)).json()).toMatchObject({ checked: false, version: 1 });
      });

      it("answers 422 to an impossible due date", async () => {
        const response = await sendJson("POST", "/todos", { task: "leap", dueDate: "2023-02-29" });

        const problem = await expectProblem(response, 422, "VALIDATION_FAILED");
        expect(problem.errors).toEqual([expect.objectContaining({ path: ["dueDate"] })]);
      });
    });

    describe("importing a CSV upload", () => {
      const csv = (text: string, headers: Record<string, string> = {}) =>
        send("/todos/import", {
          method: "POST",
          headers: { "content-type": "text/csv", ...headers },
          body: text,
        });

      it("imports valid rows, reports the rejected ones by line, and lists the imported todos", async () => {
        const marker = `upload-${Date.now()}`;
        const response = await csv(
          `task,name,dueDate\n${marker} one,Ann,2026-01-01\n,Bob,2026-01-02\n${marker} two,Cy,\n`,
        );

        expect(response.status).toBe(200);
        const report = (await response.json()) as Record<string, unknown>;
        expect(report).toMatchObject({ status: "COMPLETED", rowsRead: 3, imported: 2, rejected: 1 });
        expect(report.errors).toEqual([expect.objectContaining({ line: 3 })]);
        expect((await tasksMatching(marker)).map((todo) => todo.task).sort()).toEqual([
          `${marker} one`,
          `${marker} two`,
        ]);
      });

      it("imports the workshop's single-quoted file without the quotes", async () => {
        const marker = `quoted-${Date.now()}`;
        const response = await csv(
          `task,name,dueDate\n'${marker} a','John Doe','10-12-2017'\n'${marker} b','John Doe','11-12-2017'\n`,
        );

        expect(response.status).toBe(200);
        const imported = await tasksMatching(marker);
        expect(imported.map((todo) => todo.task).sort()).toEqual([`${marker} a`, `${marker} b`]);
      });

      it("imports nothing twice when the same Idempotency-Key is sent again", async () => {
        const marker = `idem-${Date.now()}`;
        const body = `task\n${marker} 1\n${marker} 2\n`;
        const key = `key-${marker}`;

        const first = await csv(body, { "idempotency-key": key });
        const second = await csv(body, { "idempotency-key": key });

        expect(first.status).toBe(200);
        expect(second.status).toBe(200);
        const [firstReport, secondReport] = [await first.json(), await second.json()] as Record<
          string,
          unknown
        >[];
        expect(secondReport!.importId).toBe(firstReport!.importId);
        expect(secondReport!.note).toMatch(/already imported/i);
        expect(await tasksMatching(marker)).toHaveLength(2);
      });

      it("answers 422 to an Idempotency-Key sent again with another body, and imports none of it", async () => {
        const marker = `reused-${Date.now()}`;
        const key = `key-${marker}`;

        const first = await csv(`task\n${marker} first\n`, { "idempotency-key": key });
        const other = await csv(`task\n${marker} other 1\n${marker} other 2\n`, { "idempotency-key": key });
        // The key as the IETF draft writes it, a quoted string, is the same key.
        const repeat = await csv(`task\n${marker} first\n`, { "idempotency-key": `"${key}"` });

        expect(first.status).toBe(200);
        await expectProblem(other, 422, "IDEMPOTENCY_KEY_REUSED");
        expect(repeat.status).toBe(200);
        expect(await repeat.json()).toMatchObject({ note: expect.stringMatching(/already imported/i) });
        expect((await tasksMatching(marker)).map((todo) => todo.task)).toEqual([`${marker} first`]);
      });

      it.each(["", "has space", "x".repeat(129), "é", '"unterminated'])(
        "answers 400 to the Idempotency-Key %j",
        async (key) => {
          await expectProblem(await csv("task\nx\n", { "idempotency-key": key }), 400, "INVALID_PARAMETER");
        },
      );

      it("answers 422 CSV_HEADER_REJECTED with the report to a file that is no todo CSV, and imports nothing", async () => {
        const marker = `no-task-column-${Date.now()}`;

        const response = await csv(`title,name\n${marker},Ann\n`);

        const problem = await expectProblem(response, 422, "CSV_HEADER_REJECTED");
        expect(problem).toMatchObject({
          detail: expect.stringMatching(/"task" column/),
          report: { status: "COMPLETED", headerRejected: true, rowsRead: 0, imported: 0 },
        });
        expect(await tasksMatching(marker)).toEqual([]);
      });

      it("answers 415 to an upload that is not text/csv", async () => {
        const response = await send("/todos/import", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "task\nx\n",
        });

        await expectProblem(response, 415, "UNSUPPORTED_MEDIA_TYPE");
      });

      it.each(["__proto__", "constructor", "toString"])(
        "answers 400 to quote=%s, a name every object inherits, and leaves its Idempotency-Key unused",
        async (quote) => {
          const marker = `inherited-quote-${quote}-${Date.now()}`;
          const body = `task\n${marker}\n`;
          const key = `key-${marker}`;

          const refused = await send(`/todos/import?quote=${quote}`, {
            method: "POST",
            headers: { "content-type": "text/csv", "idempotency-key": key },
            body,
          });
          const retried = await csv(body, { "idempotency-key": key });

          await expectProblem(refused, 400, "INVALID_PARAMETER");
          expect(retried.status).toBe(200);
          expect(await retried.json()).toMatchObject({ status: "COMPLETED", imported: 1 });
          expect(await tasksMatching(marker)).toHaveLength(1);
        },
      );

      it("answers 405 with Allow: POST to GET /todos/import", async () => {
        const response = await send("/todos/import");

        await expectProblem(response, 405, "METHOD_NOT_ALLOWED");
        expect(response.headers.get("allow")).toBe("POST");
      });
    });
  });
}
