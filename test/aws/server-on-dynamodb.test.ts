import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTodoApiBehaviour } from "../behaviour/todo-api.behaviour.js";
import { dynamoDbClientFor, STAND_IN_REGION } from "../support/aws/aws-clients.js";
import { type DynamoDbStandIn, startDynamoDb } from "../support/aws/dynamodb-stand-in.js";
import { createTables, uniqueTableName } from "../support/aws/dynamodb-tables.js";
import { type S3StandIn, startS3 } from "../support/aws/s3-stand-in.js";
import { serveOverHttp } from "../support/serve-over-http.js";
import { CLI } from "../support/server-process.js";

const run = promisify(execFile);

/** The environment that points the server (or the CLI) at the stand-in's tables. */
function dynamoDbEnv(endpoint: string, tables: { todos: string; imports: string }) {
  return {
    TODO_STORE: "dynamodb",
    TODOS_TABLE: tables.todos,
    IMPORTS_TABLE: tables.imports,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: STAND_IN_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "test",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
  };
}

describeTodoApiBehaviour("the Node server over HTTP, on DynamoDB (TODO_STORE=dynamodb)", async () => {
  const dynamoDb = await startDynamoDb();
  const saved = { ...process.env };
  const cleanup = async () => {
    process.env = saved;
    await dynamoDb.stop();
  };
  try {
    const tables = { todos: uniqueTableName("server-todos"), imports: uniqueTableName("server-imports") };
    await createTables(dynamoDbClientFor(dynamoDb.endpoint), tables);
    const env = dynamoDbEnv(dynamoDb.endpoint, tables);
    // The SDK reads the region and credentials from the environment, as it would on a VM.
    Object.assign(process.env, {
      AWS_REGION: env.AWS_REGION,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    });
    return await serveOverHttp(env, cleanup);
  } catch (error) {
    // Setup failed half-way: stop the stand-in here, as no dispose will run.
    await cleanup();
    throw error;
  }
});

describe("todo import s3://bucket/key into DynamoDB", () => {
  let dynamoDb: DynamoDbStandIn;
  let s3: S3StandIn;
  let env: Record<string, string>;
  beforeAll(async () => {
    [dynamoDb, s3] = await Promise.all([startDynamoDb(), startS3()]);
    const tables = { todos: uniqueTableName("cli-todos"), imports: uniqueTableName("cli-imports") };
    await createTables(dynamoDbClientFor(dynamoDb.endpoint), tables);
    env = { ...process.env, ...dynamoDbEnv(dynamoDb.endpoint, tables), S3_ENDPOINT: s3.endpoint };
    // s3rver checks signatures against its one account; DynamoDB stand-ins accept any credentials.
    if (s3.kind === "s3rver")
      Object.assign(env, { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
  });
  afterAll(async () => {
    await Promise.all([dynamoDb?.stop(), s3?.stop()]);
  });

  it("imports an object with spaces in its key, then answers a second import from the ledger", async () => {
    const bucket = `cli-${Date.now()}`;
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "my lists/todos 1.csv",
        Body: "task,name\nfrom S3,Ann\nagain from S3,Bob\n",
      }),
    );

    const first = await run(
      process.execPath,
      [CLI, "import", `s3://${bucket}/my lists/todos 1.csv`, "--json"],
      { env },
    );
    const second = await run(
      process.execPath,
      [CLI, "import", `s3://${bucket}/my lists/todos 1.csv`, "--json"],
      { env },
    );
    const listed = await run(process.execPath, [CLI, "list", "--json"], { env });

    expect(JSON.parse(first.stdout)).toMatchObject({
      status: "COMPLETED",
      imported: 2,
      source: { container: bucket, key: "my lists/todos 1.csv" },
    });
    expect(JSON.parse(second.stdout).note).toMatch(/already imported/i);
    const tasks = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).task);
    expect(tasks.sort()).toEqual(["again from S3", "from S3"]);
  });

  it("says it is not ready while its imports table is missing, though its todos table answers", async () => {
    // In this process, whose SDK reads the region and credentials from its own environment.
    const saved = { ...process.env };
    const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = env;
    Object.assign(process.env, { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY });
    const server = await serveOverHttp({ ...env, IMPORTS_TABLE: uniqueTableName("missing-imports") });
    try {
      const ready = await server.invoke(new Request("http://localhost/ready"));
      const listed = await server.invoke(new Request("http://localhost/todos"));

      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect(listed.status).toBe(200);
    } finally {
      await server.dispose?.();
      process.env = saved;
    }
  });

  it("exits 2 with one line for an object that does not exist", async () => {
    const bucket = `cli-missing-${Date.now()}`;
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));

    const failure = (await run(process.execPath, [CLI, "import", `s3://${bucket}/nothing.csv`], {
      env,
    }).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^todo: No object .*nothing\.csv/m);
    expect(failure.stderr).not.toMatch(/\n\s+at /);
  });
});
