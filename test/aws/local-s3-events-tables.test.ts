import { createTables, encodeS3EventKey, normaliseS3rverRecord, uniqueTableName } from "@anycloud/aws/local";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3EventRecord } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";

// The local loop's translations that need no stand-in: s3rver's records made S3's, and its tables' creation, on
// clients that only record what they are sent.

/** A client whose `send` records each command's name and input and answers with `answer`'s result. */
function recordingClient(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return answer(command.constructor.name, command.input);
    },
  };
  return { client, sent };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("encodeS3EventKey, a key as S3 writes it into an event", () => {
  it.each([
    ["todos.csv", "todos.csv"],
    ["my todos.csv", "my+todos.csv"],
    ["a+b.csv", "a%2Bb.csv"],
    ["folder/sub folder/été.csv", "folder/sub+folder/%C3%A9t%C3%A9.csv"],
    ["100%.csv", "100%25.csv"],
  ])("writes %s as %s", (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
  });
});

describe("normaliseS3rverRecord", () => {
  const record = (eventName: string, object: Partial<S3EventRecord["s3"]["object"]>) =>
    ({
      eventVersion: "2.0",
      eventSource: "aws:s3",
      eventName,
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: "uploads", arn: "arn:aws:s3: : :uploads", ownerIdentity: { principalId: "x" } },
        object: { key: "my todos.csv", sequencer: "0A1", ...object },
      },
    }) as S3EventRecord;

  it("makes s3rver's record S3's: version 2.1, the bucket's ARN without spaces, the key encoded", async () => {
    const { client, sent } = recordingClient(() => ({}));

    const normalised = await normaliseS3rverRecord(
      client as unknown as S3Client,
      record("ObjectCreated:Put", { eTag: "abc", size: 0 }),
    );

    expect(sent).toEqual([]);
    expect(normalised).toEqual({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: "uploads", arn: "arn:aws:s3:::uploads", ownerIdentity: { principalId: "x" } },
        object: { key: "my+todos.csv", size: 0, eTag: "abc", sequencer: "0A1" },
      },
    });
  });

  it("names a completed multipart upload as S3 does, and leaves other names", async () => {
    const { client } = recordingClient(() => ({}));
    const named = async (eventName: string) =>
      (await normaliseS3rverRecord(client as unknown as S3Client, record(eventName, { eTag: "e", size: 1 })))
        .eventName;

    expect(await named("ObjectCreated:Post")).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(await named("ObjectCreated:Copy")).toBe("ObjectCreated:Copy");
  });

  it.each([
    ["no ETag", { size: 4 }],
    ["no size", { eTag: "e" }],
  ])(
    "reads the ETag and size of a record with %s from a HeadObject of the key as stored",
    async (_, object) => {
      const { client, sent } = recordingClient(() => ({ ETag: '"d41d8"', ContentLength: 42 }));

      const normalised = await normaliseS3rverRecord(
        client as unknown as S3Client,
        record("ObjectCreated:Copy", object),
      );

      expect(sent).toEqual([
        { name: "HeadObjectCommand", input: { Bucket: "uploads", Key: "my todos.csv" } },
      ]);
      expect(normalised.s3.object).toMatchObject({ eTag: "d41d8", size: 42 });
    },
  );

  it("takes a HeadObject without ETag nor length as empty", async () => {
    const { client } = recordingClient(() => ({}));

    const normalised = await normaliseS3rverRecord(
      client as unknown as S3Client,
      record("ObjectCreated:Copy", {}),
    );

    expect(normalised.s3.object).toMatchObject({ eTag: "", size: 0 });
  });
});

describe("createTables", () => {
  it("creates each table named, on demand, keyed as its store wants, waits until ACTIVE, and drops them", async () => {
    const polls = new Map<string, number>();
    const { client, sent } = recordingClient((name, input) => {
      if (name !== "DescribeTableCommand") return {};
      const table = input.TableName as string;
      polls.set(table, (polls.get(table) ?? 0) + 1);
      const poll = polls.get(table)!;
      // A first answer without the table, as a stand-in may give while it creates it.
      return poll === 1 ? {} : { Table: { TableStatus: poll < 3 ? "CREATING" : "ACTIVE" } };
    });

    const tables = await createTables(client as unknown as DynamoDBClient, { todos: "t", imports: "i" });

    const creates = sent.filter(({ name }) => name === "CreateTableCommand").map(({ input }) => input);
    expect(creates).toEqual([
      {
        TableName: "t",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      },
      {
        TableName: "i",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "importId", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "importId", KeyType: "HASH" }],
      },
    ]);
    expect(Object.fromEntries(polls)).toEqual({ t: 3, i: 3 });

    sent.length = 0;
    await tables.drop();
    expect(sent).toEqual([
      { name: "DeleteTableCommand", input: { TableName: "t" } },
      { name: "DeleteTableCommand", input: { TableName: "i" } },
    ]);
  });

  it("creates only the tables named", async () => {
    const { client, sent } = recordingClient(() => ({ Table: { TableStatus: "ACTIVE" } }));

    await createTables(client as unknown as DynamoDBClient, { imports: "i" });

    expect(sent.map(({ name, input }) => `${name} ${input.TableName}`)).toEqual([
      "CreateTableCommand i",
      "DescribeTableCommand i",
    ]);
  });

  it("gives up on a table that is not ACTIVE after 600 polls 50 ms apart", async () => {
    vi.useFakeTimers();
    const { client, sent } = recordingClient(() => ({ Table: { TableStatus: "CREATING" } }));

    const created = createTables(client as unknown as DynamoDBClient, { todos: "slow" });
    const refused = expect(created).rejects.toThrow("Table slow did not become ACTIVE.");
    await vi.advanceTimersByTimeAsync(600 * 50);
    await refused;

    expect(sent.filter(({ name }) => name === "DescribeTableCommand")).toHaveLength(600);
  });

  it("names tables uniquely after their prefix", () => {
    const names = [uniqueTableName("todos"), uniqueTableName("todos")];

    expect(names[0]).toMatch(/^todos-[0-9a-f]{12}$/);
    expect(names[1]).not.toBe(names[0]);
  });
});
