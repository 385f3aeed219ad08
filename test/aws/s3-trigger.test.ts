import {
  createS3ImportHandler,
  importCommandsFromS3Event,
  type S3ImportCommand,
  type S3ImportOutcome,
  type S3ImportPlan,
} from "@anycloud/adapters-aws/triggers";
import {
  ALREADY_IMPORTED_NOTE,
  type Clock,
  type ImportCommand,
  ImportInProgressError,
  type ImportReport,
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  importIdOf,
  type Logger,
  OBJECT_GONE_NOTE,
  ObjectNotFoundError,
  type ObjectRef,
  type ObjectSource,
  type OpenedObject,
} from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { eventFixtureFiles, readEventFixture } from "../support/aws/event-fixtures.js";
import { slowBody } from "../support/slow-body.js";
import { allTodosIn } from "../support/stored-todos.js";

const loadFixture = (file: string): unknown => readEventFixture(`s3/${file}`);
const S3_FIXTURES = eventFixtureFiles("s3");

const BUCKET = "anycloud-uploads";
const created = (
  eventName: string,
  key: string,
  version: string,
  size: number,
  sequencer: string,
): S3ImportCommand => ({
  command: { source: { container: BUCKET, key, version }, quote: "auto" },
  eventName,
  size,
  sequencer,
});

/** The plan for an event whose every record is an object created: a command each, nothing skipped. */
const importing = (...commands: S3ImportCommand[]): S3ImportPlan => ({ commands, skipped: [] });

// The workshop's todoList.csv, put into the bucket: the one record of put.json, twice in duplicate-records.json.
const TODO_LIST_PUT = created(
  "ObjectCreated:Put",
  "todoList.csv",
  "b21b84d653bb07b05b1e6b33684dc11b",
  131,
  "0055AED6DCD90281E5",
);

const EXPECTED: Record<string, S3ImportPlan> = {
  "put.json": importing(TODO_LIST_PUT),
  "multipart.json": importing(
    created(
      "ObjectCreated:CompleteMultipartUpload",
      "imports/2024/big-list.csv",
      "9b2cf535f27731c974343645a3985328-10",
      52428800,
      "00620B7A4C1B93F5C2",
    ),
  ),
  "copy.json": importing(
    created(
      "ObjectCreated:Copy",
      "archive/todoList.csv",
      "b21b84d653bb07b05b1e6b33684dc11b",
      131,
      "0065EDB8A41F2C3D4E",
    ),
  ),
  "post.json": importing(
    created(
      "ObjectCreated:Post",
      "browser-uploads/todos.csv",
      "4c2f8d0e2a1b3c4d5e6f708192a3b4c5",
      88,
      "0065EDB8A5009ABCDE",
    ),
  ),
  "key-with-spaces-and-unicode.json": importing(
    created(
      "ObjectCreated:Put",
      "my todos/Ünïcode list+1.csv",
      "7d793037a0760186574b0282f2f435e7",
      64,
      "0065EDB8A6112233AA",
    ),
  ),
  "versioned.json": importing(
    created(
      "ObjectCreated:Put",
      "todoList.csv",
      "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
      131,
      "0065EDB8A7445566BB",
    ),
  ),
  "removed.json": {
    commands: [],
    skipped: [{ eventName: "ObjectRemoved:Delete", reason: expect.stringMatching(/created/) }],
  },
  "test-event.json": {
    commands: [],
    skipped: [{ eventName: "s3:TestEvent", reason: expect.stringMatching(/test event/i) }],
  },
  "two-records.json": importing(
    created("ObjectCreated:Put", "team-a.csv", "11111111111111111111111111111111", 200, "0065EDB8A9000000AA"),
    created("ObjectCreated:Put", "team-b.csv", "22222222222222222222222222222222", 300, "0065EDB8A9000000BB"),
  ),
  // The same notification twice in one event: one command.
  "duplicate-records.json": importing(TODO_LIST_PUT),
};

describe("reading S3 notifications into import commands", () => {
  it("has an expectation for every fixture", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(S3_FIXTURES);
  });

  it.each(S3_FIXTURES)("reads %s", (fixture) => {
    const plan = importCommandsFromS3Event(loadFixture(fixture));

    expect(plan).toEqual(EXPECTED[fixture]);
  });

  it("skips malformed records with a reason and keeps the good ones", () => {
    const [good] = (loadFixture("put.json") as { Records: Record<string, unknown>[] }).Records;
    const withObject = (object: Record<string, unknown>) => ({
      ...good,
      s3: { ...(good!.s3 as object), object },
    });

    const plan = importCommandsFromS3Event({
      Records: [
        null,
        "ObjectCreated:Put",
        { ...good, eventSource: undefined },
        { ...good, s3: { object: { key: "a.csv" } } },
        withObject({ size: 3 }),
        withObject({ key: "bad%E0%A4%A.csv", eTag: "e" }),
        good,
      ],
    });

    expect(plan.commands).toHaveLength(1);
    expect(plan.skipped).toEqual([
      { eventName: "unknown", reason: expect.any(String) },
      { eventName: "unknown", reason: expect.any(String) },
      { eventName: "ObjectCreated:Put", reason: expect.stringMatching(/S3/) },
      { eventName: "ObjectCreated:Put", reason: expect.stringMatching(/bucket/) },
      { eventName: "ObjectCreated:Put", reason: expect.stringMatching(/key/) },
      {
        eventName: "ObjectCreated:Put",
        key: "bad%E0%A4%A.csv",
        reason: expect.stringMatching(/percent-encoding/),
      },
    ]);
  });

  it.each([null, 42, "s3", [], {}, { Records: "none" }])("never throws on %j", (event) => {
    expect(importCommandsFromS3Event(event)).toEqual({
      commands: [],
      skipped: [],
      notS3: expect.any(String),
    });
  });

  it.each([
    ["wrapped by SNS", { Records: [{ EventSource: "aws:sns", Sns: { Message: "{}" } }] }],
    ["wrapped by SQS", { Records: [{ eventSource: "aws:sqs", body: "{}" }] }],
    ["from EventBridge", { source: "aws.s3", "detail-type": "Object Created", detail: {} }],
  ])("says an event %s is no S3 notification", (_, event) => {
    expect(importCommandsFromS3Event(event)).toEqual({
      commands: [],
      skipped: [],
      notS3: expect.any(String),
    });
  });

  it('uses the eTag when versionId is "null" (an object written while versioning was off)', () => {
    const event = loadFixture("versioned.json") as { Records: { s3: { object: { versionId: string } } }[] };
    event.Records[0]!.s3.object.versionId = "null";

    const [command] = importCommandsFromS3Event(event).commands;

    expect(command?.command.source.version).toBe("b21b84d653bb07b05b1e6b33684dc11b");
  });
});

// ---------------------------------------------------------------------------------------------------------
// The handler, with a fake use case.
// ---------------------------------------------------------------------------------------------------------

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, ...(fields && { fields }) });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

function reportFor(command: ImportCommand, status: ImportReport["status"] = "COMPLETED"): ImportReport {
  return {
    importId: `import-${command.source.key}`,
    source: command.source,
    status,
    rowsRead: 2,
    imported: status === "COMPLETED" ? 2 : 1,
    rejected: 0,
    failed: status === "COMPLETED" ? 0 : 1,
    errors: [],
    errorsTruncated: false,
    startedAt: "2024-03-10T13:40:52.327Z",
    finishedAt: "2024-03-10T13:40:53.000Z",
    durationMs: 673,
  };
}

/** Records each command; `outcome` decides, per key, what the import does. */
function fakeImportTodos(
  outcome: (command: ImportCommand) => ImportReport | Error = (command) => reportFor(command),
) {
  const calls: ImportCommand[] = [];
  return {
    calls,
    importTodos: {
      async execute(command: ImportCommand): Promise<ImportReport> {
        calls.push(command);
        const result = outcome(command);
        if (result instanceof Error) throw result;
        return result;
      },
    },
  };
}

describe("the S3 import handler", () => {
  it.each([{ source: "serverless-plugin-warmup" }, { source: "serverless-plugin-warmup", Records: [{}] }])(
    "answers a warm-up ping at once without importing",
    async (event) => {
      const { importTodos, calls } = fakeImportTodos();
      const { logger, lines } = recordingLogger();

      const outcome = await createS3ImportHandler(importTodos, logger)(event);

      expect(outcome).toEqual({ warm: true, imported: [], skipped: [] });
      expect(calls).toEqual([]);
      expect(lines).toEqual([]);
    },
  );

  it("imports every created object of the event, in order", async () => {
    const { importTodos, calls } = fakeImportTodos();

    const outcome = await createS3ImportHandler(
      importTodos,
      recordingLogger().logger,
    )(loadFixture("two-records.json"));

    expect(calls.map((command) => command.source.key)).toEqual(["team-a.csv", "team-b.csv"]);
    expect(outcome.imported.map((report) => report.status)).toEqual(["COMPLETED", "COMPLETED"]);
    expect(outcome.warm).toBe(false);
  });

  it("logs skipped records at info and imports nothing for them", async () => {
    const { importTodos, calls } = fakeImportTodos();
    const { logger, lines } = recordingLogger();

    const outcome = await createS3ImportHandler(importTodos, logger)(loadFixture("removed.json"));

    expect(calls).toEqual([]);
    expect(outcome.skipped).toEqual([expect.objectContaining({ eventName: "ObjectRemoved:Delete" })]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        fields: expect.objectContaining({ eventName: "ObjectRemoved:Delete" }),
      }),
    ]);
  });

  it("throws, and logs an error, for an event that is no S3 notification (S3's, wrapped by SNS)", async () => {
    const { importTodos, calls } = fakeImportTodos();
    const { logger, lines } = recordingLogger();
    const wrapped = {
      Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(loadFixture("put.json")) } }],
    };

    await expect(createS3ImportHandler(importTodos, logger)(wrapped)).rejects.toThrow(/aws:sns/);
    expect(calls).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: "error" })]);
  });

  it("runs the rest after a FAILED report, then throws so that Lambda retries", async () => {
    const { importTodos, calls } = fakeImportTodos((command) =>
      reportFor(command, command.source.key === "team-a.csv" ? "FAILED" : "COMPLETED"),
    );
    const { logger, lines } = recordingLogger();

    const run = createS3ImportHandler(importTodos, logger)(loadFixture("two-records.json"));

    await expect(run).rejects.toThrow(/1 of 2 imports/);
    expect(calls.map((command) => command.source.key)).toEqual(["team-a.csv", "team-b.csv"]);
    expect(lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("runs the rest after an import throws, then throws with every cause", async () => {
    const storeDown = new Error("DynamoDB is unavailable");
    const { importTodos, calls } = fakeImportTodos((command) =>
      command.source.key === "team-a.csv" ? storeDown : reportFor(command),
    );

    const error = await createS3ImportHandler(
      importTodos,
      recordingLogger().logger,
    )(loadFixture("two-records.json")).catch((thrown: unknown) => thrown);

    expect(calls).toHaveLength(2);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([storeDown]);
  });

  it("runs the rest after an import another invocation holds, then throws so that Lambda retries it", async () => {
    const held = new ImportInProgressError("import-team-a.csv", "2024-03-10T13:41:52.327Z");
    const { importTodos, calls } = fakeImportTodos((command) =>
      command.source.key === "team-a.csv" ? held : reportFor(command),
    );
    const { logger, lines } = recordingLogger();

    const error = await createS3ImportHandler(
      importTodos,
      logger,
    )(loadFixture("two-records.json")).catch((thrown: unknown) => thrown);

    expect(calls.map((command) => command.source.key)).toEqual(["team-a.csv", "team-b.csv"]);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([held]);
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        fields: expect.objectContaining({ importId: held.importId }),
      }),
    );
  });

  it("skips an object gone since its event with a warning, runs the rest, and does not throw", async () => {
    const teamA = { container: BUCKET, key: "team-a.csv", version: "11111111111111111111111111111111" };
    const { importTodos, calls } = fakeImportTodos((command) =>
      command.source.key === "team-a.csv" ? new ObjectNotFoundError(teamA) : reportFor(command),
    );
    const { logger, lines } = recordingLogger();

    const outcome = await createS3ImportHandler(importTodos, logger)(loadFixture("two-records.json"));

    expect(calls.map((command) => command.source.key)).toEqual(["team-a.csv", "team-b.csv"]);
    expect(outcome.imported.map((report) => report.source.key)).toEqual(["team-b.csv"]);
    expect(outcome.skipped).toEqual([
      { eventName: "ObjectCreated:Put", key: "team-a.csv", reason: expect.stringMatching(/gone/) },
    ]);
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", fields: expect.objectContaining({ key: "team-a.csv" }) }),
    );
  });

  it("does nothing but log for an S3 test event", async () => {
    const { importTodos, calls } = fakeImportTodos();

    const outcome = await createS3ImportHandler(
      importTodos,
      recordingLogger().logger,
    )(loadFixture("test-event.json"));

    expect(calls).toEqual([]);
    expect(outcome.skipped).toEqual([expect.objectContaining({ eventName: "s3:TestEvent" })]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The handler with the real use case: a redelivered event imports its todos once.
// ---------------------------------------------------------------------------------------------------------

/** Objects in a Map, keyed by bucket and key; bodies arrive in small chunks with pauses, like a network. */
class InMemoryObjectSource implements ObjectSource {
  readonly opened: ObjectRef[] = [];
  private readonly objects = new Map<string, { bytes: Uint8Array; etag: string }>();

  put(container: string, key: string, text: string, etag: string): void {
    this.objects.set(`${container}/${key}`, { bytes: Buffer.from(text, "utf8"), etag });
  }

  async open(ref: ObjectRef): Promise<OpenedObject> {
    this.opened.push(ref);
    const object = this.objects.get(`${ref.container}/${ref.key}`);
    // Pinned to the version asked for, as S3ObjectSource is (If-Match on the ETag).
    if (!object || (ref.version !== undefined && ref.version !== object.etag))
      throw new ObjectNotFoundError(ref);
    return {
      body: slowBody(object.bytes, 64),
      size: object.bytes.length,
      contentType: "text/csv",
      version: object.etag,
    };
  }
}

const ROWS = 40;
const WORKSHOP_CSV = `task,name,dueDate\n${Array.from(
  { length: ROWS },
  (_, index) => `'check serverless.com example ${index + 1}','John Doe','10-12-2017'`,
).join("\n")}\n`;

const UNICODE_SOURCE: ObjectRef = {
  container: BUCKET,
  key: "my todos/Ünïcode list+1.csv",
  version: "7d793037a0760186574b0282f2f435e7",
};

function importRig(clock: Clock = { now: () => new Date() }) {
  const todos = new InMemoryTodoRepository();
  const ledger = new InMemoryImportLedger();
  const objects = new InMemoryObjectSource();
  objects.put(BUCKET, UNICODE_SOURCE.key, WORKSHOP_CSV, UNICODE_SOURCE.version!);
  const { logger } = recordingLogger();
  const importTodos = new ImportTodos(todos, ledger, clock, logger, objects);
  return { todos, ledger, objects, handler: createS3ImportHandler(importTodos, logger) };
}

/** True when every cause of a handler's failure is an import held by another invocation. */
function onlyHeldElsewhere(reason: unknown): boolean {
  return (
    reason instanceof AggregateError &&
    reason.errors.length > 0 &&
    reason.errors.every((error) => error instanceof ImportInProgressError)
  );
}

describe("an S3 event for an object overwritten before the import ran", () => {
  it("records the import FAILED as gone, imports nothing, and answers without throwing", async () => {
    const { todos, ledger, objects, handler } = importRig();
    // The same key uploaded again: the first event's ETag no longer matches.
    objects.put(BUCKET, UNICODE_SOURCE.key, WORKSHOP_CSV, "0123456789abcdef0123456789abcdef");

    const outcome = await handler(loadFixture("key-with-spaces-and-unicode.json"));

    expect(outcome.imported).toEqual([]);
    expect(outcome.skipped).toEqual([expect.objectContaining({ key: UNICODE_SOURCE.key })]);
    expect(await allTodosIn(todos)).toEqual([]);
    expect(await ledger.get(importIdOf(UNICODE_SOURCE))).toMatchObject({
      status: "FAILED",
      report: { status: "FAILED", rowsRead: 0, imported: 0, note: OBJECT_GONE_NOTE },
    });
  });
});

describe("an S3 event delivered more than once", () => {
  const event = () => loadFixture("key-with-spaces-and-unicode.json");

  it("imports the todos once when delivered three times in a row", async () => {
    const { todos, objects, handler } = importRig();

    const outcomes: S3ImportOutcome[] = [];
    for (let delivery = 0; delivery < 3; delivery++) outcomes.push(await handler(event()));

    const stored = await allTodosIn(todos);
    expect(stored).toHaveLength(ROWS);
    expect(new Set(stored.map((todo) => todo.task)).size).toBe(ROWS);
    expect(stored[0]!.task).toMatch(/^check serverless\.com example \d+$/);
    expect(outcomes.map((outcome) => outcome.imported[0]?.imported)).toEqual([ROWS, ROWS, ROWS]);
    expect(outcomes[1]!.imported[0]!.note).toMatch(/already imported/i);
    expect(objects.opened).toEqual([UNICODE_SOURCE]);
  });

  it("imports the todos once when delivered three times at once, the refused deliveries succeeding on retry", async () => {
    const { todos, objects, handler } = importRig();

    const first = await Promise.allSettled([handler(event()), handler(event()), handler(event())]);
    // Lambda retries a failed asynchronous invocation with the same event, up to twice, minutes later: after
    // the deliveries before have settled.
    const settled = [...first];
    for (let retry = 1; retry <= 2; retry++) {
      const failed = settled.flatMap((result, delivery) => (result.status === "rejected" ? [delivery] : []));
      const retried = await Promise.allSettled(failed.map(() => handler(event())));
      failed.forEach((delivery, index) => {
        settled[delivery] = retried[index]!;
      });
    }

    // One delivery runs the import; the two that came while it ran are refused (and retried).
    expect(first.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = first.filter((result) => result.status === "rejected");
    expect(refused).toHaveLength(2);
    for (const result of refused) expect(onlyHeldElsewhere(result.reason)).toBe(true);
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    const reports = settled.map(
      (result) => (result as PromiseFulfilledResult<S3ImportOutcome>).value.imported[0]!,
    );
    expect(reports.filter((report) => report.note === undefined)).toHaveLength(1);
    expect(reports.every((report) => report.status === "COMPLETED" && report.imported === ROWS)).toBe(true);
    const stored = await allTodosIn(todos);
    expect(stored).toHaveLength(ROWS);
    expect(new Set(stored.map((todo) => todo.id)).size).toBe(ROWS);
    expect(objects.opened).toEqual([UNICODE_SOURCE]);
  });

  it("takes over, on Lambda's retry, an import whose invocation crashed mid-way", async () => {
    const start = Date.parse("2024-03-10T13:40:00.000Z");
    const after = (seconds: number) => new Date(start + seconds * 1000);
    const iso = (seconds: number) => after(seconds).toISOString();
    let now = after(0);
    const { todos, ledger, handler } = importRig({ now: () => now });
    const importId = importIdOf(UNICODE_SOURCE);
    // An invocation claimed the import, last renewed its lease at 100 s, and ran out of memory at 120 s.
    await ledger.claim({
      importId,
      source: UNICODE_SOURCE,
      now: iso(0),
      leaseExpiresAt: iso(60),
    });
    await ledger.renew(importId, 1, iso(160));

    now = after(130); // S3 delivers the event a second time.
    const duplicate = await handler(event()).catch((error: unknown) => error);
    now = after(180); // Lambda retries the crashed invocation.
    const crashedRetry = await handler(event());
    now = after(190); // Lambda retries the refused duplicate.
    const duplicateRetry = await handler(event());

    expect(onlyHeldElsewhere(duplicate)).toBe(true);
    expect(crashedRetry.imported[0]).toMatchObject({ status: "COMPLETED", imported: ROWS });
    expect(crashedRetry.imported[0]!.note).toBeUndefined();
    expect(duplicateRetry.imported[0]).toMatchObject({ status: "COMPLETED", note: ALREADY_IMPORTED_NOTE });
    expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", attempt: 2 });
    expect(await allTodosIn(todos)).toHaveLength(ROWS);
  });
});
