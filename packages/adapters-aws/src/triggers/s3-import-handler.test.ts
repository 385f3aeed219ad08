import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ImportTodos,
  InMemoryImportLedger,
  InMemoryTodoRepository,
  type ObjectSource,
  silentLogger,
  systemClock,
  TimeLimitReachedError,
} from "@anycloud/core";
import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { readEventFixture } from "../../../../test/support/aws/event-fixtures.js";
import { s3HttpTimeouts } from "../storage/http-timeouts.js";
import { S3ObjectSource } from "../storage/s3-object-source.js";
import { createS3ImportHandler } from "./s3-import-handler.js";

const putEvent: unknown = readEventFixture("s3/put.json");

/** The in-memory store, writing each batch of 10 in 25 ms, as a remote store takes its time. */
class SlowTodoRepository extends InMemoryTodoRepository {
  override readonly preferredBatchSize = 10;
  /** The id of every todo sent to the store, in order. */
  readonly sent: string[] = [];
  override async putMany(...args: Parameters<InMemoryTodoRepository["putMany"]>) {
    this.sent.push(...args[0].map((todo) => todo.id));
    await new Promise((resolve) => setTimeout(resolve, 25));
    return super.putMany(...args);
  }
}

/** Every object holds the same 200 todos. */
const objects: ObjectSource = {
  async open() {
    const csv = `task\n${Array.from({ length: 200 }, (_, index) => `todo ${index}`).join("\n")}\n`;
    return {
      body: (async function* () {
        yield Buffer.from(csv);
      })(),
    };
  },
};

/** The ledger in memory, keeping the status of each outcome recorded. */
class RecordingLedger extends InMemoryImportLedger {
  readonly outcomes: string[] = [];
  override async finish(...args: Parameters<InMemoryImportLedger["finish"]>) {
    this.outcomes.push(args[2].status);
    return super.finish(...args);
  }
}

/** A Lambda context with `leftMs` to go when the invocation starts. */
const contextWith = (leftMs: number) => {
  const deadline = Date.now() + leftMs;
  return { awsRequestId: "req-1", getRemainingTimeInMillis: () => deadline - Date.now() };
};

describe("the S3 import handler, near its function's time limit", () => {
  it("stops the import before it, records it FAILED and throws; Lambda's retry finishes it", async () => {
    const todos = new SlowTodoRepository();
    const imports = new InMemoryImportLedger();
    const handler = createS3ImportHandler(
      new ImportTodos(todos, imports, systemClock, silentLogger, objects),
      silentLogger,
    );

    // 20 batches of 25 ms: about half a second of writing, in an invocation with 200 ms left, stopped half-way.
    const stopped = await handler(putEvent, contextWith(200)).catch((error) => error);

    expect(stopped).toBeInstanceOf(AggregateError);
    expect((stopped as AggregateError).errors).toEqual([expect.any(TimeLimitReachedError)]);
    // Stopped part-way (how far depends on the machine's pace): not every row is in.
    expect((await todos.list({ limit: 500 })).items.length).toBeLessThan(200);

    const retried = await handler(putEvent, contextWith(900_000));

    expect(retried.imported).toEqual([expect.objectContaining({ status: "COMPLETED", rowsRead: 200 })]);
    expect((await todos.list({ limit: 500 })).items).toHaveLength(200);
    // The retry went on after the rows the first attempt stored (the ledger's checkpoint): no row sent twice.
    expect(todos.sent).toHaveLength(200);
    expect(new Set(todos.sent).size).toBe(200);
    expect(await imports.get(retried.imported[0]!.importId)).toMatchObject({
      status: "COMPLETED",
      attempt: 2,
    });
  });
});

/** An S3 on 127.0.0.1 that answers as `listener` does, and a client of it as the app's; `close` ends both. */
async function localS3(listener: RequestListener): Promise<{ client: S3Client; close: () => void }> {
  const s3 = createServer(listener);
  await new Promise<void>((resolve) => s3.listen(0, "127.0.0.1", resolve));
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
    requestHandler: s3HttpTimeouts(),
  });
  return {
    client,
    close: () => {
      client.destroy();
      s3.closeAllConnections();
      s3.close();
    },
  };
}

describe("the S3 import handler, when the object's body stalls near the time limit", () => {
  it("stops the import at the limit and lets go of the response, not at the socket's 60 s idle timeout", async () => {
    // An S3 that sends the object's first lines, then nothing: the import waits for more when its stop comes.
    const { client, close } = await localS3((_request, response) => {
      response.writeHead(200, { "content-length": "100000", etag: '"9bb58f26192e4ba00f01e2e7b136bbd8"' });
      response.write("task\nfirst\n");
    });
    const imports = new RecordingLedger();
    const objects = new S3ObjectSource(client);
    let body: { destroyed?: boolean } = {};
    const keepingBody: ObjectSource = {
      async open(ref) {
        const opened = await objects.open(ref);
        body = opened.body as { destroyed?: boolean };
        return opened;
      },
    };
    const handler = createS3ImportHandler(
      new ImportTodos(new InMemoryTodoRepository(), imports, systemClock, silentLogger, keepingBody),
      silentLogger,
    );
    try {
      // 200 ms left: stopped after 100 (half-way, the time being short), while the body sends nothing.
      const stopped = await handler(putEvent, contextWith(200)).catch((error: unknown) => error);

      expect((stopped as AggregateError).errors).toEqual([expect.any(TimeLimitReachedError)]);
      // Recorded FAILED before the handler returned (Lambda would cut a later record off), its body let go of.
      expect(imports.outcomes).toEqual(["FAILED"]);
      expect(body.destroyed).toBe(true);
    } finally {
      close();
    }
  });
});

describe("the S3 import handler, when S3 does not answer near the time limit", () => {
  it("stops the import at the limit, not after the SDK's attempts of 60 s each", async () => {
    // An S3 that takes the GetObject and answers nothing: the stop comes while the import waits for its headers.
    let requests = 0;
    const { client, close } = await localS3(() => {
      requests += 1;
    });
    const imports = new RecordingLedger();
    const handler = createS3ImportHandler(
      new ImportTodos(
        new InMemoryTodoRepository(),
        imports,
        systemClock,
        silentLogger,
        new S3ObjectSource(client),
      ),
      silentLogger,
    );
    try {
      // 200 ms left: stopped after 100 (half-way, the time being short), while S3 has not answered.
      const stopped = await handler(putEvent, contextWith(200)).catch((error: unknown) => error);

      expect((stopped as AggregateError).errors).toEqual([expect.any(TimeLimitReachedError)]);
      expect(imports.outcomes).toEqual(["FAILED"]);
      expect(requests).toBe(1);
    } finally {
      close();
    }
  });
});

describe("the S3 import handler, in a function with Lambda's default timeout of 3 s", () => {
  it("imports a small file, rather than stop it before its first row (and stop each retry alike)", async () => {
    const todos = new InMemoryTodoRepository();
    // Two rows, arriving after 10 ms, as S3 sends a body over the network.
    const smallObjects: ObjectSource = {
      async open() {
        return {
          body: (async function* () {
            await new Promise((resolve) => setTimeout(resolve, 10));
            yield Buffer.from("task\nfirst\nsecond\n");
          })(),
        };
      },
    };
    const handler = createS3ImportHandler(
      new ImportTodos(todos, new InMemoryImportLedger(), systemClock, silentLogger, smallObjects),
      silentLogger,
    );

    // Lambda's context at the start of a 3 s invocation.
    const outcome = await handler(putEvent, contextWith(2_950));

    expect(outcome.imported).toEqual([expect.objectContaining({ status: "COMPLETED", imported: 2 })]);
    expect((await todos.list({ limit: 10 })).items).toHaveLength(2);
  });
});

describe("the S3 import handler, when an import fails", () => {
  it("says which object failed and why in the message of the error it throws, which Lambda's failure record keeps", async () => {
    // What the deployed role (no s3:ListBucket) gets for an upload's version deleted before its import ran.
    const refusing = {
      send: async () => {
        throw Object.assign(new Error("Access Denied"), {
          name: "AccessDenied",
          $metadata: { httpStatusCode: 403 },
        });
      },
    } as unknown as S3Client;
    const handler = createS3ImportHandler(
      new ImportTodos(
        new InMemoryTodoRepository(),
        new InMemoryImportLedger(),
        systemClock,
        silentLogger,
        new S3ObjectSource(refusing),
      ),
      silentLogger,
    );

    const thrown = await handler(readEventFixture("s3/versioned.json")).catch((error: unknown) => error);

    // Lambda records a thrown error's type, message and stack (the failures queue's `responsePayload`), not the
    // errors an AggregateError holds: its message must say what went wrong.
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as Error).message).toMatch(
      /^1 of 1 imports of this S3 event failed .* todoList\.csv: The object store refused to read the object \(403\)/,
    );
  });
});
