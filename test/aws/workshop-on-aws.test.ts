import { randomBytes } from "node:crypto";
import { FUNCTIONS, type FunctionName, matchRoute } from "@anycloud/aws/local";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { afterAll, describe, expect, it, vi } from "vitest";
import { describeTodoApiBehaviour } from "../behaviour/todo-api.behaviour.js";
import { dynamoDbClientFor, STAND_IN_REGION } from "../support/aws/aws-clients.js";
import { startDynamoDb } from "../support/aws/dynamodb-stand-in.js";
import { createTables, uniqueTableName } from "../support/aws/dynamodb-tables.js";
import { recordFunctionRequests } from "../support/aws/function-requests.js";
import { accessesOf } from "../support/aws/iam-actions.js";
import { grantedToCodeOf, isGranted } from "../support/aws/iam-grants.js";
import { httpApiEventFrom, responseFromResult } from "../support/aws/lambda-http-events.js";
import { uploadInParts } from "../support/aws/multipart-upload.js";
import { encodeS3EventKey } from "../support/aws/s3-events.js";
import { startS3 } from "../support/aws/s3-stand-in.js";

// The functions of apps/aws as Lambda runs them: their real modules, composed at load from the environment
// serverless.yml gives them, here pointed at the stand-ins; called with the events API Gateway and S3 send.

const dynamoDb = await startDynamoDb();
const s3 = await startS3();
const dynamoDbClient = dynamoDbClientFor(dynamoDb.endpoint);
const tables = { todos: uniqueTableName("aws-app-todos"), imports: uniqueTableName("aws-app-imports") };
const { drop } = await createTables(dynamoDbClient, tables);
const bucket = `anycloud-app-uploads-${randomBytes(4).toString("hex")}`;
await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
// Versioned, as the deployed bucket is, where the stand-in keeps versions (s3rver does not).
if (s3.kind !== "s3rver") {
  await s3.client.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
  );
}

// s3rver accepts its own credentials only; the other stand-ins accept any, an external endpoint the caller's.
const credentials =
  s3.kind === "s3rver"
    ? { id: "S3RVER", secret: "S3RVER" }
    : { id: process.env.AWS_ACCESS_KEY_ID ?? "test", secret: process.env.AWS_SECRET_ACCESS_KEY ?? "test" };
vi.stubEnv("TODOS_TABLE", tables.todos);
vi.stubEnv("IMPORTS_TABLE", tables.imports);
vi.stubEnv("DYNAMODB_ENDPOINT", dynamoDb.endpoint);
vi.stubEnv("S3_ENDPOINT", s3.endpoint);
vi.stubEnv("AWS_REGION", STAND_IN_REGION);
vi.stubEnv("AWS_ACCESS_KEY_ID", credentials.id);
vi.stubEnv("AWS_SECRET_ACCESS_KEY", credentials.secret);
vi.stubEnv("CURSOR_SECRET", randomBytes(24).toString("base64url"));
vi.stubEnv("LOG_LEVEL", "error");

// What each function's code sends to AWS while it runs, for the IAM check at the end of this file.
const recorded = recordFunctionRequests();

// Imported only now: each module composes its function from the environment when it loads (its cold start).
const hello = recorded.as("hello", (await import("../../apps/aws/src/handlers/hello.js")).handler);
const helloHttp = recorded.as(
  "helloHttp",
  (await import("../../apps/aws/src/handlers/hello-http.js")).handler,
);
// One module, two functions (addTodo, listTodo), each with a role of its own: the route picks the function.
const { handler: workshopTodos } = await import("../../apps/aws/src/handlers/workshop-todos.js");
const addTodo = recorded.as("addTodo", workshopTodos);
const listTodo = recorded.as("listTodo", workshopTodos);
const api = recorded.as("api", (await import("../../apps/aws/src/handlers/todo-api.js")).handler);
const importUpload = recorded.as(
  "importUpload",
  (await import("../../apps/aws/src/handlers/upload-api.js")).handler,
);
const csvImport = recorded.as(
  "csvImport",
  (await import("../../apps/aws/src/handlers/csv-import.js")).handler,
);

afterAll(async () => {
  recorded.stop();
  vi.unstubAllEnvs();
  await drop();
  dynamoDbClient.destroy();
  await s3.stop();
  await dynamoDb.stop();
});

type HttpHandler = typeof api;
type ImportOutcome = Awaited<ReturnType<typeof csvImport>>;
type ImportReport = ImportOutcome["imported"][number];
type ListedTodo = { id: string; task: string; name: string | null; dueDate: string | null };

/** Calls a function the way an HTTP API route does. */
async function callThroughHttpApi(
  handler: HttpHandler,
  request: Request,
  routeKey?: string,
  context?: LambdaContext,
): Promise<Response> {
  return responseFromResult(await handler(await httpApiEventFrom(request, { routeKey }), context));
}

/** The part of Lambda's context the functions read: the time left before the invocation's timeout. */
type LambdaContext = { getRemainingTimeInMillis(): number };

// An invocation with no time left before its timeout: what runs is stopped at once (before its first write), as
// a long import is 3 s before the end of its invocation.
const atItsTimeLimit: LambdaContext = { getRemainingTimeInMillis: () => 0 };

const url = (path: string) => `https://api.example.com${path}`;

/** Every todo, through the api function's GET /todos, page by page. */
async function listTodos(): Promise<ListedTodo[]> {
  const todos: ListedTodo[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await callThroughHttpApi(
      api,
      new Request(url(`/todos?limit=100${query}`)),
      "GET /todos",
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: ListedTodo[]; nextCursor: string | null };
    todos.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return todos;
}

const tasksMarked = async (marker: string) =>
  (await listTodos())
    .filter((todo) => todo.task.includes(marker))
    .map((todo) => todo.task)
    .sort();

/** The stand-in's next object-created event for `key` in the bucket. */
function nextObjectCreated(key: string): Promise<S3Event> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No object-created event for ${key}.`));
    }, 15_000);
    const unsubscribe = s3.onObjectCreated((event) => {
      const record = event.Records.find(
        (candidate) =>
          candidate.s3.bucket.name === bucket && candidate.s3.object.key === encodeS3EventKey(key),
      );
      if (record === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve({ Records: [record] });
    });
  });
}

/** Puts a CSV into the bucket; resolves to the event S3 sends the csvImport function for it. */
async function upload(key: string, csv: string): Promise<S3Event> {
  const event = nextObjectCreated(key);
  await s3.client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv, ContentType: "text/csv" }),
  );
  return event;
}

/** The one report of an outcome. */
function onlyReport(outcome: ImportOutcome): ImportReport {
  expect(outcome.imported).toHaveLength(1);
  return outcome.imported[0]!;
}

/** Delivers `event` again while the handler throws, as Lambda retries an asynchronous invocation. */
async function deliverUntilDone(event: S3Event, deadlineMs = 30_000): Promise<ImportOutcome> {
  // A deadline, not a count of attempts: on a busy machine the import holding the lease may take seconds.
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await csvImport(event);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const marker = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

describe("hello (exercise 1), invoked directly", () => {
  it("greets the world and echoes the event, in the workshop's shape", async () => {
    const event = { source: "osls invoke -f hello", data: [1, 2] };

    const result = await hello(event);

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ message: "Hello World !", input: event });
  });
});

describe("helloHttp (exercise 2), behind the HTTP API", () => {
  it("greets the world on GET /hello, describing the request", async () => {
    const response = await callThroughHttpApi(helloHttp, new Request(url("/hello?lang=en")), "GET /hello");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      message: "Hello World !",
      input: { method: "GET", path: "/hello", query: { lang: "en" } },
    });
  });

  it("greets the decoded name on GET /hello/{name}", async () => {
    const request = new Request(url("/hello/Jane%20Doe"));

    const response = await callThroughHttpApi(helloHttp, request, "GET /hello/{name}");

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: "Hello Jane Doe !" });
  });
});

describe("addTodo and listTodo (exercise 3), behind the HTTP API, on DynamoDB", () => {
  it("adds the workshop's task.json and then lists it in a plain array", async () => {
    const task = marker("workshop task");
    const add = new Request(url("/todo/add"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task, name: "John Doe", dueDate: "01-11-2017" }),
    });

    const added = await callThroughHttpApi(addTodo, add, "POST /todo/add");
    const listed = await callThroughHttpApi(listTodo, new Request(url("/todo/list")), "GET /todo/list");

    expect(added.status).toBe(200);
    const body = (await added.json()) as { message: string; Item: { id: string } };
    expect(body).toMatchObject({
      message: "Task added.",
      Item: { task, name: "John Doe", dueDate: "2017-11-01", checked: false, version: 1 },
    });
    expect(listed.status).toBe(200);
    const items = (await listed.json()) as { id: string }[];
    expect(items.filter((item) => item.id === body.Item.id)).toEqual([body.Item]);
  });
});

describe("the importUpload function (CSV uploads)", () => {
  const postCsv = (csv: string) =>
    callThroughHttpApi(
      importUpload,
      new Request(url("/todos/import"), {
        method: "POST",
        headers: { "content-type": "text/csv", "content-length": String(Buffer.byteLength(csv)) },
        body: csv,
      }),
      "POST /todos/import",
    );

  it("imports one just under 1 MiB", async () => {
    const name = marker("under-limit");
    // Few rows, each made long by a column the import ignores: the table is shared with the behaviour suite,
    // whose GET /todo/list reads only the first 1,000 todos.
    const header = "task,name,dueDate,notes\n";
    const rowOf = (index: number) =>
      `${name} ${String(index).padStart(2, "0")},Ann,2026-12-01,${"x".repeat(60_000)}\n`;
    const rowCount = Math.floor((1024 * 1024 - header.length) / rowOf(0).length);
    const csv = header + Array.from({ length: rowCount }, (_, index) => rowOf(index)).join("");
    // 17 rows, about 1,020,000 bytes: over a decimal megabyte, under a binary one.

    const response = await postCsv(csv);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "COMPLETED",
      rowsRead: rowCount,
      imported: rowCount,
    });
  });

  // Stopped at once, before its first batch: the retry is a second attempt, which reads which rows are in
  // before it writes (partial writes are the unit tests' of lambda-http-handler.test.ts).
  it("finishes an upload stopped at the function's time limit when the client sends it again with its Idempotency-Key", async () => {
    const name = marker("upload-retried");
    const csv = `task\n${name} a\n${name} b\n`;
    const send = (context?: LambdaContext) =>
      callThroughHttpApi(
        importUpload,
        new Request(url("/todos/import"), {
          method: "POST",
          headers: { "content-type": "text/csv", "idempotency-key": name },
          body: csv,
        }),
        "POST /todos/import",
        context,
      );

    const stopped = await send(atItsTimeLimit);
    const retried = await send();

    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toMatchObject({ code: "TIME_LIMIT_REACHED" });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: "COMPLETED", rowsRead: 2, imported: 2 });
    expect(await tasksMarked(name)).toEqual([`${name} a`, `${name} b`]);
  });

  it("refuses one over 1 MiB, which could not be imported within API Gateway's 30 s", async () => {
    const row = "a task that is long enough to fill the file quickly,Ann,2026-12-01\n";
    const csv = `task,name,dueDate\n${row.repeat(Math.ceil((1024 * 1024) / row.length))}`;

    const response = await postCsv(csv);

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      detail: expect.stringMatching(/1048576 bytes/),
    });
  });
});

const httpFunctions: Partial<Record<FunctionName, HttpHandler>> = {
  helloHttp,
  addTodo,
  listTodo,
  api,
  importUpload,
};

/** The function serverless.yml routes a request to: its `httpApi` events, and api for the rest (`$default`). */
function functionFor(request: Request): HttpHandler {
  const { functionName } = matchRoute(request.method, new URL(request.url).pathname).route;
  const handler = httpFunctions[functionName];
  if (handler === undefined) throw new Error(`${functionName} serves no HTTP route.`);
  return handler;
}

describeTodoApiBehaviour(
  `the HTTP functions behind an HTTP API (payload 2.0), each route to its own, on ${dynamoDb.kind}`,
  async () => ({
    invoke: (request) => callThroughHttpApi(functionFor(request), request),
  }),
);

describe(`csvImport (exercise 4): uploads to ${s3.kind} imported into ${dynamoDb.kind}`, () => {
  it("imports an uploaded CSV from the object-created event, and the api function lists its todos", async () => {
    const name = marker("uploaded");
    const csv = `task,name,dueDate\n'${name} one','John Doe','10-12-2017'\n'${name} two','John Doe','11-12-2017'\n`;
    const event = await upload(`${name}.csv`, csv);

    const outcome = await csvImport(event);

    expect(event.Records[0]).toMatchObject({ eventSource: "aws:s3", eventName: "ObjectCreated:Put" });
    expect(onlyReport(outcome)).toMatchObject({
      status: "COMPLETED",
      source: { container: bucket, key: `${name}.csv` },
      rowsRead: 2,
      imported: 2,
      rejected: 0,
      failed: 0,
    });
    expect(await tasksMarked(name)).toEqual([`${name} one`, `${name} two`]);
  });

  it("reads an upload at the version its event names, as the deployed bucket's events (it is versioned) all do", async () => {
    const name = marker("versioned");
    const event = await upload(`${name}.csv`, `task\n${name} pinned\n`);
    const object = event.Records[0]!.s3.object;
    // s3rver keeps no versions and serves the object whatever version is asked: its event is given one, as S3
    // gives one in a versioned bucket. The other stand-ins' bucket is versioned, and its events name theirs.
    if (s3.kind === "s3rver") object.versionId = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";
    expect(object.versionId).toBeDefined();
    const before = recorded.requests().length;

    const outcome = await csvImport(event);

    expect(onlyReport(outcome)).toMatchObject({ status: "COMPLETED", imported: 1 });
    const reads = recorded
      .requests()
      .slice(before)
      .filter((request) => request.method === "GET" && request.path.includes(`/${name}.csv`));
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.path).toContain(`versionId=${object.versionId}`);
  });

  it("imports an event delivered three times one after another only once", async () => {
    const name = marker("redelivered");
    const event = await upload(`${name}.csv`, `task,name\n${name} a,Ann\n${name} b,Bo\n${name} c,Cy\n`);

    const outcomes = [await csvImport(event), await csvImport(event), await csvImport(event)];

    const [first, ...again] = outcomes.map(onlyReport);
    expect(first).toMatchObject({ status: "COMPLETED", imported: 3 });
    expect(first?.note).toBeUndefined();
    for (const report of again)
      expect(report).toMatchObject({
        importId: first?.importId,
        note: expect.stringMatching(/Already imported/),
      });
    expect(await tasksMarked(name)).toEqual([`${name} a`, `${name} b`, `${name} c`]);
  });

  it("imports an event delivered three times at once only once, Lambda's retries finishing the deliveries that threw", async () => {
    const name = marker("concurrent");
    const rows = Array.from({ length: 120 }, (_, index) => `${name} ${String(index).padStart(3, "0")},Ann`);
    const event = await upload(`${name}.csv`, `task,name\n${rows.join("\n")}\n`);

    const outcomes = await Promise.all([1, 2, 3].map(() => deliverUntilDone(event)));

    const reports = outcomes.map(onlyReport);
    expect(new Set(reports.map((report) => report.importId)).size).toBe(1);
    expect(reports.filter((report) => report.note === undefined)).toEqual([
      expect.objectContaining({ status: "COMPLETED", imported: 120 }),
    ]);
    const tasks = await tasksMarked(name);
    expect(tasks).toHaveLength(120);
    expect(new Set(tasks).size).toBe(120);
  });

  // As the upload above: stopped before its first batch, finished by a second attempt.
  it("finishes, on Lambda's retry, an import stopped at the function's time limit", async () => {
    const name = marker("time-limited");
    const rows = Array.from({ length: 60 }, (_, index) => `${name} ${String(index).padStart(2, "0")}`);
    const event = await upload(`${name}.csv`, `task\n${rows.join("\n")}\n`);

    const stopped = await csvImport(event, atItsTimeLimit).catch((error: unknown) => error);
    const retried = await deliverUntilDone(event);

    expect(stopped).toBeInstanceOf(AggregateError);
    expect((stopped as AggregateError).errors).toEqual([
      expect.objectContaining({ code: "TIME_LIMIT_REACHED" }),
    ]);
    expect(onlyReport(retried)).toMatchObject({ status: "COMPLETED", rowsRead: 60, imported: 60 });
    expect(onlyReport(retried).note).toBeUndefined();
    expect(await tasksMarked(name)).toEqual(rows);
  });

  it("imports a key with spaces, a plus sign and non-ASCII characters, which the event carries URL-encoded", async () => {
    const name = marker("encoded");
    const key = `uploads/my todos/Ünïcode list+1 ✓ ${name}.csv`;
    const event = await upload(key, `task\n${name} Zoë's café\n`);

    const outcome = await csvImport(event);

    expect(event.Records[0]?.s3.object.key).toBe(encodeS3EventKey(key));
    expect(event.Records[0]?.s3.object.key).not.toContain(" ");
    expect(onlyReport(outcome)).toMatchObject({ status: "COMPLETED", source: { key }, imported: 1 });
    expect(await tasksMarked(name)).toEqual([`${name} Zoë's café`]);
  });

  it("imports a multipart upload, a record spanning the two parts included", async () => {
    const name = marker("multipart");
    const key = `${name}.csv`;
    // Part 1 holds the header, a row, 5 MiB of empty lines (skipped) and the start of a row that part 2 ends.
    const head = `task,name\n${name} first,Ann\n`;
    const split = `${name} spanning the parts,Bo\n`;
    const partOne = Buffer.from(head + "\n".repeat(5 * 1024 * 1024) + split.slice(0, 10));
    const partTwo = Buffer.from(`${split.slice(10)}${name} last,Cy\n`);
    const event = nextObjectCreated(key);
    await uploadInParts(s3.client, { Bucket: bucket, Key: key, ContentType: "text/csv" }, [partOne, partTwo]);

    const outcome = await csvImport(await event);

    expect((await event).Records[0]?.eventName).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(onlyReport(outcome)).toMatchObject({ status: "COMPLETED", rowsRead: 3, imported: 3, rejected: 0 });
    expect(await tasksMarked(name)).toEqual([`${name} first`, `${name} last`, `${name} spanning the parts`]);
  });

  it("imports the valid rows of a malformed CSV and reports each rejected one by line", async () => {
    const name = marker("malformed");
    const csv = [
      "task,name,dueDate",
      `${name} valid,Ann,2030-01-02`,
      ",Bob,2030-01-02",
      `${name} too many fields,Cy,2030-01-02,surplus`,
      `${name} impossible date,Di,2030-02-31`,
      `${name} also valid,Fay,`,
      `"${name} unterminated quote,Ed,2030-01-02`,
    ].join("\n");
    const event = await upload(`${name}.csv`, `${csv}\n`);

    const outcome = await csvImport(event);

    expect(onlyReport(outcome)).toMatchObject({
      status: "COMPLETED",
      rowsRead: 6,
      imported: 2,
      rejected: 4,
      failed: 0,
      errors: [
        { line: 3, reason: expect.stringMatching(/^task:/) },
        { line: 4, reason: expect.stringMatching(/fields/) },
        { line: 5, reason: expect.stringMatching(/^dueDate:/) },
        { line: 7, reason: expect.stringMatching(/quote/) },
      ],
    });
    expect(await tasksMarked(name)).toEqual([`${name} also valid`, `${name} valid`]);
  });

  it("skips, without throwing, an event whose object was overwritten before it ran; the overwrite's event imports", async () => {
    const name = marker("overwritten");
    const key = `${name}.csv`;
    const first = await upload(key, `task\n${name} first upload\n`);
    const second = await upload(key, `task\n${name} second upload\n`);

    // The first event names the first upload's ETag, which S3 no longer serves: If-Match fails (412).
    const stale = await csvImport(first);
    const fresh = await csvImport(second);

    expect(stale.imported).toEqual([]);
    expect(stale.skipped).toEqual([expect.objectContaining({ key, reason: expect.stringMatching(/gone/) })]);
    expect(onlyReport(fresh)).toMatchObject({ status: "COMPLETED", imported: 1 });
    expect(await tasksMarked(name)).toEqual([`${name} second upload`]);
  });
});

// Last, over what every test above made the functions send: the stand-ins enforce no IAM, so a call GRANTS
// (and so the deployed role) lacks would pass them all and fail on AWS only, with AccessDenied. A run that
// picks tests (`-t`) leaves functions unexercised, which the second test reports.
// Granted for what happens on AWS and not in these tests (an import's retry reads which todos are in: the two
// time-limit tests above take that path): a claim refused by the ledger reads the entry that
// refused it when the refusal does not carry it (GetItem); the stand-ins' refusals always carry it.
const GRANTED_FOR_PATHS_NOT_TAKEN_HERE = ["csvImport: dynamodb:GetItem on imports"];

describe("IAM: the AWS calls the functions made above", () => {
  const resources = { tables, bucket, s3Host: new URL(s3.endpoint).host };

  it("are each granted to the function's role (GRANTS), on the resource the call names", () => {
    const denied = recorded.requests().flatMap((request) =>
      accessesOf(request, resources)
        .filter(({ action, resource }) => !isGranted(request.functionName, action, resource))
        .map(({ action, resource }) => `${request.functionName}: ${action} on ${resource}`),
    );

    expect([...new Set(denied)]).toEqual([]);
  });

  it("came from every function, making every call its code is granted but those listed: the check above is not empty", () => {
    const made = new Set(
      recorded
        .requests()
        .flatMap((request) =>
          accessesOf(request, resources).map(
            ({ action, resource }) => `${request.functionName}: ${action} on ${resource}`,
          ),
        ),
    );

    const unexercised = (Object.keys(FUNCTIONS) as FunctionName[]).flatMap((name) => {
      if (recorded.invocations(name) === 0) return [`${name}: never invoked`];
      return grantedToCodeOf(name)
        .map(({ action, resource }) => `${name}: ${action} on ${resource}`)
        .filter((call) => !made.has(call));
    });

    expect(unexercised.sort()).toEqual([...GRANTED_FOR_PATHS_NOT_TAKEN_HERE].sort());
  });
});
