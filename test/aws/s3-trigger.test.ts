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
  ImportFailedError,
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
import { describe, expect, it, vi } from "vitest";
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

  /** put.json's one record, with its `s3.object` replaced by `object`. */
  const putWithObject = (object: Record<string, unknown>): Record<string, unknown> => {
    const [good] = (loadFixture("put.json") as { Records: Record<string, unknown>[] }).Records;
    return { ...good, s3: { ...(good!.s3 as object), object } };
  };

  it("imports two versions of one key in one event twice: the version is part of an import's identity", () => {
    const plan = importCommandsFromS3Event({
      Records: [
        putWithObject({ key: "todoList.csv", versionId: "version-1", sequencer: "01" }),
        putWithObject({ key: "todoList.csv", versionId: "version-2", sequencer: "02" }),
      ],
    });

    expect(plan.commands.map(({ command }) => command.source.version)).toEqual(["version-1", "version-2"]);
  });

  it("names an object that has neither versionId nor eTag by bucket and key alone", () => {
    const [command] = importCommandsFromS3Event({
      Records: [putWithObject({ key: "todoList.csv" })],
    }).commands;

    expect(command?.command.source).toStrictEqual({ container: BUCKET, key: "todoList.csv" });
  });

  it.each([
    ["is 0", 0, 0],
    ["is negative", -1, undefined],
    ["is no integer", 1.5, undefined],
    ["is a string", "131", undefined],
    ["is past 2^53", 2 ** 53, undefined],
  ])("gives the size only as a byte count: one that %s", (_, size, expected) => {
    const [command] = importCommandsFromS3Event({
      Records: [putWithObject({ key: "todoList.csv", eTag: "e", size })],
    }).commands;

    // The object is imported all the same, whatever its size field holds.
    expect(command?.command.source).toEqual({ container: BUCKET, key: "todoList.csv", version: "e" });
    expect(command?.size).toBe(expected);
    expect(command !== undefined && "size" in command).toBe(expected !== undefined);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["no string", 42],
  ])("leaves out a sequencer that is %s", (_, sequencer) => {
    const [command] = importCommandsFromS3Event({
      Records: [putWithObject({ key: "todoList.csv", eTag: "e", sequencer })],
    }).commands;

    expect(command).toBeDefined();
    expect(command).not.toHaveProperty("sequencer");
  });

  it("skips, without throwing, a record whose eventName, bucket or key is empty or no string", () => {
    const [good] = (loadFixture("put.json") as { Records: Record<string, unknown>[] }).Records;

    const plan = importCommandsFromS3Event({
      Records: [
        { ...good, eventName: 42 },
        { ...good, eventName: undefined },
        { ...good, eventName: "" },
        putWithObject({ key: "", eTag: "e" }),
        putWithObject({ key: 42, eTag: "e" }),
      ],
    });

    expect(plan.commands).toEqual([]);
    expect(plan.skipped).toEqual([
      { eventName: "unknown", reason: expect.stringMatching(/created/) },
      { eventName: "unknown", reason: expect.stringMatching(/created/) },
      { eventName: "unknown", reason: expect.stringMatching(/created/) },
      { eventName: "ObjectCreated:Put", reason: expect.stringMatching(/key/) },
      { eventName: "ObjectCreated:Put", reason: expect.stringMatching(/key/) },
    ]);
  });

  it("skips a record whose eventSource is no string, rather than calling the event foreign", () => {
    const [good] = (loadFixture("put.json") as { Records: Record<string, unknown>[] }).Records;

    const plan = importCommandsFromS3Event({ Records: [{ ...good, eventSource: 42 }, good] });

    expect(plan.notS3).toBeUndefined();
    expect(plan.commands).toHaveLength(1);
    expect(plan.skipped).toEqual([{ eventName: "ObjectCreated:Put", reason: expect.stringMatching(/S3/) }]);
  });

  it.each([
    ["is not an object", null, /not an object/],
    ["has no Records", { Records: "none" }, /no Records/],
    ["comes from SQS", { Records: [{ eventSource: "aws:sqs" }] }, /aws:sqs/],
    // A record with no source first must not hide the foreign one after it.
    [
      "comes from SQS after a record with no source",
      { Records: [{}, { eventSource: "aws:sqs" }] },
      /aws:sqs/,
    ],
  ])("says why an event that %s is no S3 notification", (_, event, why) => {
    expect(importCommandsFromS3Event(event).notS3).toMatch(why);
  });

  it("says why a record that is no object is skipped", () => {
    expect(importCommandsFromS3Event({ Records: [null] }).skipped).toEqual([
      { eventName: "unknown", reason: expect.stringMatching(/not an object/) },
    ]);
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

/** put.json's record for the object `key`, with an eTag of its own. */
function putRecord(key: string): Record<string, unknown> {
  const [good] = (loadFixture("put.json") as { Records: Record<string, unknown>[] }).Records;
  return { ...good, s3: { ...(good!.s3 as object), object: { key, eTag: `etag-${key}`, size: 10 } } };
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

  it.each([null, undefined, "s3"])(
    "throws that %j is no S3 notification, rather than a TypeError",
    async (event) => {
      const { importTodos } = fakeImportTodos();

      await expect(createS3ImportHandler(importTodos, recordingLogger().logger)(event)).rejects.toThrow(
        /^Not an S3 notification: ./,
      );
    },
  );

  it("logs why an event is no S3 notification", async () => {
    const { importTodos } = fakeImportTodos();
    const { logger, lines } = recordingLogger();

    await createS3ImportHandler(
      importTodos,
      logger,
    )({ Records: [{ eventSource: "aws:sqs" }] }).catch(() => {});

    expect(lines).toEqual([
      {
        level: "error",
        message: expect.stringMatching(/not an S3 notification/),
        fields: { reason: expect.stringMatching(/aws:sqs/) },
      },
    ]);
  });

  it("says which record it skipped, and why, in its info line", async () => {
    const { importTodos } = fakeImportTodos();
    const { logger, lines } = recordingLogger();

    await createS3ImportHandler(importTodos, logger)(loadFixture("removed.json"));

    expect(lines).toEqual([
      {
        level: "info",
        message: expect.stringMatching(/Skipped/),
        fields: { eventName: "ObjectRemoved:Delete", reason: expect.stringMatching(/created/) },
      },
    ]);
  });

  it("throws an ImportFailedError for a FAILED report, naming its key, and logs the report", async () => {
    const { importTodos } = fakeImportTodos((command) =>
      reportFor(command, command.source.key === "team-a.csv" ? "FAILED" : "COMPLETED"),
    );
    const { logger, lines } = recordingLogger();

    const error = await createS3ImportHandler(
      importTodos,
      logger,
    )(loadFixture("two-records.json")).catch((thrown: unknown) => thrown);

    expect((error as AggregateError).errors).toEqual([expect.any(ImportFailedError)]);
    expect((error as Error).message).toMatch(/ team-a\.csv: /);
    expect(lines).toEqual([
      {
        level: "error",
        message: expect.stringMatching(/FAILED/),
        fields: { importId: "import-team-a.csv", bucket: BUCKET, key: "team-a.csv", failed: 1 },
      },
    ]);
  });

  it("logs an import that threw at error level, with its object and the error", async () => {
    const storeDown = new Error("DynamoDB is unavailable");
    const { importTodos } = fakeImportTodos((command) =>
      command.source.key === "team-a.csv" ? storeDown : reportFor(command),
    );
    const { logger, lines } = recordingLogger();

    await createS3ImportHandler(importTodos, logger)(loadFixture("two-records.json")).catch(() => {});

    expect(lines).toEqual([
      {
        level: "error",
        message: expect.stringMatching(/failed/),
        fields: expect.objectContaining({ bucket: BUCKET, key: "team-a.csv", error: storeDown }),
      },
    ]);
  });

  it("says in its warnings that an object is gone, or held by another invocation", async () => {
    const teamA = { container: BUCKET, key: "team-a.csv", version: "11111111111111111111111111111111" };
    const { importTodos } = fakeImportTodos((command) =>
      command.source.key === "team-a.csv"
        ? new ObjectNotFoundError(teamA)
        : new ImportInProgressError("import-team-b.csv", "2024-03-10T13:41:52.327Z"),
    );
    const { logger, lines } = recordingLogger();

    await createS3ImportHandler(importTodos, logger)(loadFixture("two-records.json")).catch(() => {});

    expect(lines.map(({ level, message }) => [level, message])).toEqual([
      ["warn", expect.stringMatching(/gone/)],
      ["warn", expect.stringMatching(/Another invocation holds/)],
    ]);
  });

  it("clears its time limit's timer once the event is done", async () => {
    vi.useFakeTimers();
    try {
      const { importTodos } = fakeImportTodos();

      await createS3ImportHandler(importTodos, recordingLogger().logger)(loadFixture("put.json"), {
        getRemainingTimeInMillis: () => 900_000,
      });

      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("names the first three failures in the message it throws, and counts the others", async () => {
    const keys = ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"];
    const { importTodos } = fakeImportTodos((command) => new Error(`no ${command.source.key}`));

    const error = await createS3ImportHandler(
      importTodos,
      recordingLogger().logger,
    )({ Records: keys.map((key) => putRecord(key)) }).catch((thrown: unknown) => thrown);

    expect((error as Error).message).toMatch(
      /^5 of 5 imports .* a\.csv: no a\.csv b\.csv: no b\.csv c\.csv: no c\.csv And 2 more\.$/,
    );
  });

  it("says no more than its one failure when there is one", async () => {
    const { importTodos } = fakeImportTodos((command) => new Error(`no ${command.source.key}`));

    const error = await createS3ImportHandler(
      importTodos,
      recordingLogger().logger,
    )(loadFixture("put.json")).catch((thrown: unknown) => thrown);

    expect((error as Error).message).toMatch(/ todoList\.csv: no todoList\.csv$/);
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
