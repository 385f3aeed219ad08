import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { javaWorks } from "@anycloud/aws/local";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `pnpm --filter @anycloud/aws local`, run as a user runs it (its package.json script, in its own process
// group), on free ports: then used over HTTP only, as a developer would, and stopped as Ctrl-C stops it.

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/aws");
const { scripts } = JSON.parse(readFileSync(path.join(APP, "package.json"), "utf8")) as {
  scripts: { local: string };
};
const READY_WITHIN_MS = 50_000;
const PAGE = "https://todo.example.com";

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  api: string;
  s3: string;
  bucket: string;
  /** DynamoDB Local's, when it runs (dynalite, without Java, runs in the loop's own process). */
  dynamoDbPid: number | undefined;
}

let loop: Running;

beforeAll(async () => {
  loop = await startLocalLoop();
}, READY_WITHIN_MS + 10_000);

// Every loop a test started: one still running at the end (its test failed, or timed out, which runs no
// `finally`) is killed with its process group, and so with the DynamoDB Local it started.
const spawned = new Set<ChildProcess>();

afterAll(() => {
  for (const child of spawned) {
    if (child.exitCode === null && child.signalCode === null) signalGroup(child, "SIGKILL");
  }
  if (loop?.dynamoDbPid !== undefined) signalProcess(loop.dynamoDbPid, "SIGKILL");
});

/** Starts the loop's script in its own process group, on free ports, and waits for its banner ("Ready."). */
async function startLocalLoop(): Promise<Running> {
  // The plain server's CORS_ORIGINS, as a developer's shell may hold it: the loop applies no CORS all the same.
  const { child, exited, output } = spawnLocalLoop({ CORS_ORIGINS: PAGE });
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!output().includes("Ready.")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      signalGroup(child, "SIGKILL");
      throw new Error(`The local loop did not start:\n${output()}`);
    }
    await sleep(100);
  }
  const found = (pattern: RegExp) => {
    const match = pattern.exec(output());
    if (!match) throw new Error(`${pattern} is not in the loop's output:\n${output()}`);
    return match[1]!;
  };
  return {
    child,
    exited,
    output,
    api: found(/HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)/),
    s3: found(/S3 \(s3rver\)\s+(http:\/\/127\.0\.0\.1:\d+)/),
    bucket: found(/bucket (\S+)/),
    dynamoDbPid: output().includes("dynalite") ? undefined : Number(found(/DynamoDB Local \(pid (\d+)\)/)),
  };
}

/**
 * Spawns the node command the script ends with (the shell's `trap` before it is tested through pnpm, below), or,
 * `throughPnpm`, the script as a user runs it: `pnpm --filter @anycloud/aws local`, pnpm leading the group.
 */
function spawnLocalLoop(
  settings: NodeJS.ProcessEnv = {},
  { throughPnpm = false } = {},
): Pick<Running, "child" | "exited" | "output"> {
  const [command, ...args] = scripts.local
    .slice(scripts.local.lastIndexOf(";") + 1)
    .trim()
    .split(" ");
  expect(command).toBe("node");
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", S3_PORT: "0", DYNAMODB_PORT: "0" };
  for (const name of ["DYNAMODB_ENDPOINT", "UPLOADS_BUCKET", "LOG_LEVEL"]) delete env[name];
  Object.assign(env, settings);
  const [file, argv] = throughPnpm
    ? ["pnpm", ["--filter", "@anycloud/aws", "local"]]
    : [process.execPath, args];
  const child = spawn(file, argv, {
    cwd: APP,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

describe("the local loop (pnpm --filter @anycloud/aws local)", () => {
  it("serves the HTTP API of serverless.yml on 127.0.0.1, sending what no route takes to api ($default)", async () => {
    const hello = await fetch(`${loop.api}/hello/Jane%20Doe`);
    const todos = await fetch(`${loop.api}/todos`);
    const wrongMethod = await fetch(`${loop.api}/todos`, { method: "DELETE" });
    const unknownPath = await fetch(`${loop.api}/nowhere`);

    expect(hello.status).toBe(200);
    expect(await hello.json()).toMatchObject({ message: "Hello Jane Doe !" });
    expect(todos.status).toBe(200);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toMatchObject({ code: "ROUTE_NOT_FOUND" });
  });

  it("applies no CORS, whatever CORS_ORIGINS the shell holds: a preflight reaches api and is 405, as any OPTIONS", async () => {
    const preflight = await fetch(`${loop.api}/todos`, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": "POST" },
    });
    const created = await fetch(`${loop.api}/todos`, {
      method: "POST",
      headers: { origin: PAGE, "content-type": "application/json" },
      body: JSON.stringify({ task: "no CORS here" }),
    });

    expect(preflight.status).toBe(405);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("invokes a function directly through Lambda's Invoke API", async () => {
    const response = await fetch(`${loop.api}/2015-03-31/functions/hello/invocations`, {
      method: "POST",
      body: JSON.stringify({ from: "aws lambda invoke" }),
    });

    expect(response.status).toBe(200);
    const result = (await response.json()) as { statusCode: number; body: string };
    expect(JSON.parse(result.body)).toEqual({
      message: "Hello World !",
      input: { from: "aws lambda invoke" },
    });
  });

  it("imports a CSV put into its bucket, and lists the todos over HTTP", async () => {
    const marker = `local-${randomBytes(3).toString("hex")}`;
    const key = `local loop/${marker} todoList.csv`;
    const csv = `task,name,dueDate\n'${marker} one','John Doe','10-12-2017'\n'${marker} two','John Doe','11-12-2017'\n`;
    const s3 = new S3Client({
      endpoint: loop.s3,
      region: "us-east-1",
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });

    await s3.send(
      new PutObjectCommand({ Bucket: loop.bucket, Key: key, Body: csv, ContentType: "text/csv" }),
    );
    s3.destroy();

    // The report is logged once the import has recorded its outcome, after its todos are written: waited for
    // as well, not expected the moment the todos show.
    const reported = `csvImport s3://${loop.bucket}/${key}: COMPLETED, 2 imported, 0 rejected`;
    let tasks: string[] = [];
    for (
      const deadline = Date.now() + 20_000;
      (tasks.length < 2 || !loop.output().includes(reported)) && Date.now() < deadline;
      await sleep(200)
    ) {
      const page = (await (await fetch(`${loop.api}/todos?limit=100`)).json()) as {
        items: { task: string }[];
      };
      tasks = page.items.map((todo) => todo.task).filter((task) => task.startsWith(marker));
    }
    expect(tasks.sort()).toEqual([`${marker} one`, `${marker} two`]);
    expect(loop.output()).toContain(reported);
  });

  it("says in one line, naming their variables, that its ports are taken when another loop runs, starting nothing", async () => {
    const port = (url: string) => new URL(url).port;
    const dynamoDbPort = found(/DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/, loop.output());
    const second = spawnLocalLoop({
      PORT: port(loop.api),
      S3_PORT: port(loop.s3),
      DYNAMODB_PORT: dynamoDbPort,
    });
    try {
      const { code } = await second.exited;

      expect(code, second.output()).toBe(1);
      expect(second.output()).toContain(
        `local: ports ${port(loop.api)} (PORT, the HTTP API), ${port(loop.s3)} (S3_PORT, s3rver) and ` +
          `${dynamoDbPort} (DYNAMODB_PORT, DynamoDB) are taken: is another local loop running?`,
      );
      expect(second.output()).not.toMatch(/^\s+at /m);
    } finally {
      signalGroup(second.child, "SIGKILL");
    }
  });

  it("stops on SIGTERM, stopping every process it started", async () => {
    const children = loop.dynamoDbPid === undefined ? [] : [loop.dynamoDbPid];
    expect(children.filter(processExists)).toEqual(children);

    signalGroup(loop.child, "SIGTERM");
    const { code } = await loop.exited;

    expect(code).toBe(0);
    expect(loop.output()).toContain("Stopped.");
    expect(groupExists(loop.child.pid!)).toBe(false);
    expect(children.filter(processExists)).toEqual([]);
  });
});

describe("the local loop, run through pnpm as a terminal runs it", () => {
  // A Ctrl-C reaches the whole foreground group: pnpm, the shell pnpm runs the script in, and the loop. The
  // shell, killed by it, made pnpm print "Command failed" and exit 1 after the loop had stopped cleanly.
  it(
    "stops on one Ctrl-C (SIGINT to its process group) with exit code 0, pnpm's included",
    async () => {
      const { child, exited, output } = spawnLocalLoop({}, { throughPnpm: true });
      try {
        await expect.poll(output, { timeout: READY_WITHIN_MS }).toContain("Ready.");

        signalGroup(child, "SIGINT");
        const { code } = await exited;

        expect(code, output()).toBe(0);
        expect(output()).toContain("Stopped.");
        expect(output()).not.toContain("SIGINT again");
        expect(output()).not.toContain("ERR_PNPM");
      } finally {
        signalGroup(child, "SIGKILL");
      }
    },
    READY_WITHIN_MS + 20_000,
  );
});

describe("the local loop's settings", () => {
  it.each([
    ["S3_PORT", "0x50"],
    ["PORT", "x"],
    ["DYNAMODB_PORT", "65536"],
  ])("refuses %s=%s in one line that names it, before starting anything", async (name, value) => {
    const { child, exited, output } = spawnLocalLoop({ [name]: value });
    try {
      const { code } = await exited;

      expect(code, output()).toBe(1);
      expect(output()).toContain(`local: ${name} must be a port from 0 to 65535, not "${value}".`);
      expect(output()).not.toMatch(/^\s+at /m);
      expect(output()).not.toContain("DynamoDB");
    } finally {
      signalGroup(child, "SIGKILL");
    }
  });
});

// Without Java the loop runs dynalite in its own process: nothing can be left behind, and there is no window.
describe("the local loop's ports", () => {
  it("refuses two of its servers on one port in one line that names both, before starting anything", async () => {
    const { child, exited, output } = spawnLocalLoop({ PORT: "47011", S3_PORT: "47011" });
    try {
      const { code } = await exited;

      expect(code, output()).toBe(1);
      expect(output()).toContain("local: PORT and S3_PORT are both 47011: give each a port of its own.");
      expect(output()).not.toMatch(/^\s+at /m);
      expect(output()).not.toContain("DynamoDB");
    } finally {
      signalGroup(child, "SIGKILL");
    }
  });
});

describe.runIf(javaWorks())("the local loop, stopped while it starts", () => {
  it(
    "stops DynamoDB Local, which runs in a group of its own, on a Ctrl-C before it is ready",
    async () => {
      const { child, exited, output } = spawnLocalLoop();
      let java: number[] = [];
      try {
        // The window: DynamoDB Local is started, and "Ready." is not out yet.
        const deadline = Date.now() + READY_WITHIN_MS;
        while (java.length === 0 && Date.now() < deadline) {
          java = childrenOf(child.pid!).filter((pid) => commandOf(pid).includes("DynamoDBLocal.jar"));
          if (child.exitCode !== null) throw new Error(`The local loop ended:\n${output()}`);
          await sleep(20);
        }
        expect(java).toHaveLength(1);
        expect(output()).not.toContain("Ready.");

        signalProcess(child.pid!, "SIGINT");
        const { code } = await exited;

        expect(code, output()).toBe(0);
        expect(output()).toContain("SIGINT: stopping once started");
        expect(output()).toContain("Stopped.");
        expect(java.filter(processExists)).toEqual([]);
      } finally {
        // Only when the test failed: leave nothing behind.
        signalGroup(child, "SIGKILL");
        for (const pid of java) signalProcess(-pid, "SIGKILL");
      }
    },
    READY_WITHIN_MS + 20_000,
  );
});

describe.runIf(javaWorks())("the local loop, when DynamoDB Local dies under it", () => {
  it(
    "says so, with what to do, and still stops cleanly",
    async () => {
      const running = await startLocalLoop();
      try {
        signalProcess(running.dynamoDbPid!, "SIGKILL");

        await expect
          .poll(() => running.output(), { timeout: 10_000 })
          .toContain(
            `DynamoDB Local (pid ${running.dynamoDbPid}) was killed (SIGKILL): the functions can no longer`,
          );
        expect(running.output()).toContain("Stop the loop (Ctrl-C) and start it again");
        signalGroup(running.child, "SIGINT");
        const { code } = await running.exited;

        expect(code, running.output()).toBe(0);
        expect(running.output()).toContain("Stopped.");
      } finally {
        signalGroup(running.child, "SIGKILL");
      }
    },
    READY_WITHIN_MS + 20_000,
  );
});

function found(pattern: RegExp, output: string): string {
  const match = pattern.exec(output);
  if (!match) throw new Error(`${pattern} is not in the loop's output:\n${output}`);
  return match[1]!;
}

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The parent is the 2nd field after the command's closing parenthesis.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) signalProcess(-child.pid, signal);
}

function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

const processExists = (pid: number) => signalProcess(pid, 0);
const groupExists = (pgid: number) => signalProcess(-pgid, 0);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
