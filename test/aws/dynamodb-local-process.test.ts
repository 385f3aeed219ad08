import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { javaWorks, startDynamoDbLocal } from "@anycloud/aws/local";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { running } from "../support/running.js";

const TEST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The temp folder the JVM `pid` was given (`-Djava.io.tmpdir=`), read from its command line. */
function tempFolderOf(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const flag = args.find((arg) => arg.startsWith("-Djava.io.tmpdir="));
  if (flag === undefined) throw new Error(`The JVM ${pid} was given no temp folder: ${args.join(" ")}`);
  return flag.slice("-Djava.io.tmpdir=".length);
}

/** Creates a table: DynamoDB Local copies SQLite's native library into its temp folder at the first one. */
async function createTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: "temp-folder-probe",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } finally {
    client.destroy();
  }
}

describe.runIf(javaWorks() && process.platform === "linux")("DynamoDB Local's process", () => {
  it("removes the temp folder it gives the JVM when stopped", async () => {
    const dynamoDb = await startDynamoDbLocal();
    let temp: string | undefined;
    try {
      temp = tempFolderOf(dynamoDb.pid!);
      await createTable(dynamoDb.endpoint);
      expect(readdirSync(temp).some((name) => name.includes("sqlite4java"))).toBe(true);
    } finally {
      await dynamoDb.stop();
    }

    expect(existsSync(temp)).toBe(false);
  }, 60_000);

  it("is stopped, its temp folder removed, when the process that started it is killed (SIGKILL: no exit handler runs)", async () => {
    const starter = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { startDynamoDbLocal } from "@anycloud/aws/local";
         import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
         const dynamoDb = await startDynamoDbLocal();
         // A table, so that the JVM's temp folder holds a copy of SQLite's native library.
         const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
         await client.send(new CreateTableCommand({ TableName: "temp-folder-probe", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
         console.log(dynamoDb.pid);
         setInterval(() => {}, 1000);`,
      ],
      { cwd: TEST_ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let jvm: number | undefined;
    try {
      const [line] = (await once(createInterface({ input: starter.stdout! }), "line")) as [string];
      jvm = Number(line);
      expect(running(jvm)).toBe(true);
      const temp = tempFolderOf(jvm);
      expect(readdirSync(temp).some((name) => name.includes("sqlite4java"))).toBe(true);

      starter.kill("SIGKILL");
      await once(starter, "exit");
      // The watchdog sees its pipe end and kills the JVM's group at once; 20 s is only a hang guard.
      for (const deadline = Date.now() + 20_000; running(jvm) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(running(jvm)).toBe(false);
      // The watchdog removes the folder right after the kill; 20 s is only a hang guard.
      for (const deadline = Date.now() + 20_000; existsSync(temp) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(existsSync(temp)).toBe(false);
    } finally {
      starter.kill("SIGKILL");
      if (jvm !== undefined && running(jvm)) process.kill(-jvm, "SIGKILL");
    }
  }, 60_000);
});
