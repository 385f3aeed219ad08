import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { access, mkdir, mkdtemp, open, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  closeSqliteDatabase,
  openSqliteDatabase,
  SQLITE_SCHEMA_VERSION,
  SqliteTodoRepository,
} from "@anycloud/server/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeLockAtCtrlZ } from "../support/ctrl-z.js";
import { asJob, CLI } from "../support/server-process.js";
import { aTodo } from "../support/todos.js";

const run = promisify(execFile);

describe("the todo CLI", () => {
  let dir: string;
  const todo = (args: string[]) =>
    run(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATA_DIR: path.join(dir, "data") },
      cwd: dir,
    });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-cli-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the workshop's file into the store, and lists it", async () => {
    await writeFile(
      path.join(dir, "todoList.csv"),
      "task,name,dueDate\n'check serverless.com example','John Doe','10-12-2017'\n'check serverless.com plugins','John Doe','11-12-2017'\n",
    );

    const imported = await todo(["import", "todoList.csv", "--json"]);
    const listed = await todo(["list", "--json"]);

    expect(JSON.parse(imported.stdout)).toMatchObject({
      status: "COMPLETED",
      rowsRead: 2,
      imported: 2,
      rejected: 0,
    });
    const todos = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(todos.map((item) => [item.task, item.name, item.dueDate])).toEqual([
      ["check serverless.com example", "John Doe", "2017-12-10"],
      ["check serverless.com plugins", "John Doe", "2017-12-11"],
    ]);
  });

  it("lists imported todos in the file's order", async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => `todo number ${i + 1}`);
    await writeFile(path.join(dir, "todos.csv"), `task\n${tasks.join("\n")}\n`);

    await todo(["import", "todos.csv"]);
    const listed = await todo(["list", "--json"]);

    const listedTasks = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).task);
    expect(listedTasks).toEqual(tasks);
  });

  it("answers a second import of the unchanged file from the ledger, creating nothing twice", async () => {
    await writeFile(path.join(dir, "todos.csv"), "task\none\ntwo\n");

    await todo(["import", "todos.csv"]);
    const again = await todo(["import", "todos.csv"]);
    const listed = await todo(["list", "--json"]);

    expect(again.stdout).toMatch(/already imported/i);
    expect(listed.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("recognises a file imported before when it is named through a symlink", async () => {
    await writeFile(path.join(dir, "todos.csv"), "task\nwater the plants\ncall the bank\n");
    await symlink(path.join(dir, "todos.csv"), path.join(dir, "link.csv"));

    await todo(["import", "todos.csv"]);
    const again = await todo(["import", "link.csv"]);
    const listed = await todo(["list"]);

    expect(again.stdout).toMatch(/already imported/i);
    expect(listed.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("prints rejected rows with their line numbers and still imports the valid ones", async () => {
    await writeFile(
      path.join(dir, "mixed.csv"),
      "task,dueDate\nfine,2026-01-01\n,2026-01-02\nalso fine,31-02-2026\nlast,\n",
    );

    const { stdout } = await todo(["import", "mixed.csv"]);

    expect(stdout).toMatch(/COMPLETED: 2 imported, 2 rejected, 0 failed of 4 rows/);
    expect(stdout).toMatch(/line 3: task/);
    expect(stdout).toMatch(/line 4: dueDate/);
  });

  it("exits 2 for a file that is no todo CSV (no task column), printing the report that says why", async () => {
    await writeFile(path.join(dir, "people.csv"), "title,who\nwater the plants,Ann\n");

    const failure = (await todo(["import", "people.csv"]).catch((error: unknown) => error)) as {
      code: number;
      stdout: string;
    };
    const listed = await todo(["list"]);

    expect(failure.code).toBe(2);
    expect(failure.stdout).toMatch(
      /^NOT IMPORTED: the file is not a todo CSV\.\n.*\nThe header is not usable/,
    );
    expect(failure.stdout).not.toMatch(/COMPLETED/);
    expect(failure.stdout).toMatch(/line 1: header must contain a "task" column/);
    expect(listed.stdout).toBe("");
  });

  it("exits 2 with a short message, in words, for a file that does not exist", async () => {
    await expect(todo(["import", "missing.csv"])).rejects.toMatchObject({
      code: 2,
      stderr: `todo: ${path.join(dir, "missing.csv")}: there is no such file.\n`,
    });
  });

  // The line must say what was refused: a mistake met later (todos.csv is not there; `.` read as a file fails
  // too) is one line and exit 2 as well.
  it.each([
    ["a directory", ["import", "."], /^todo: .+ is not a file\.$/],
    ["an unknown option", ["import", "--bogus", "todos.csv"], /^todo: Unknown option '--bogus'/],
    [
      "a limit that is not a whole number",
      ["list", "--limit", "2.5"],
      /^todo: --limit must be a whole number/,
    ],
    ["an S3 URL without a key", ["import", "s3://my-bucket"], /^todo: s3:\/\/my-bucket: an S3 object is s3:/],
  ])("exits 2 with one short line, no stack trace, for %s", async (_, args, reason) => {
    const failure = (await todo(args).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^todo: .+\n$/);
    expect(failure.stderr.trimEnd()).toMatch(reason);
  });

  it("says that TODO_STORE=memory keeps nothing, and still reports the import (a dry run)", async () => {
    await writeFile(path.join(dir, "todos.csv"), "task\none\ntwo\n");

    const imported = await run(process.execPath, [CLI, "import", "todos.csv"], {
      env: { ...process.env, TODO_STORE: "memory" },
      cwd: dir,
    });

    expect(imported.stderr).toMatch(/^todo: TODO_STORE=memory: .*gone when it ends/);
    expect(imported.stdout).toMatch(/^COMPLETED: 2 imported/);
  });

  it("exits 2 naming the variable for a setting it cannot use", async () => {
    const failure = (await run(process.execPath, [CLI, "list"], {
      env: { ...process.env, DATA_DIR: path.join(dir, "data"), LOG_LEVEL: "verbose" },
      cwd: dir,
    }).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^todo: LOG_LEVEL must be/);
  });

  it("records an import stopped with Ctrl-C as FAILED, so that running it again finishes it at once", async () => {
    const rows = 300_000;
    const file = path.join(dir, "many.csv");
    await writeFile(file, `task\n${Array.from({ length: rows }, (_, i) => `todo ${i}`).join("\n")}\n`);
    const child = spawn(process.execPath, [CLI, "import", file], {
      env: { ...process.env, DATA_DIR: path.join(dir, "data") },
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = once(child, "exit") as Promise<[number | null]>;
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    // Interrupted once rows are being written (a listing finds some), not after a guessed delay: on a busy
    // machine the CLI may not have installed its handler by then.
    const importing = await rowsBeingWritten(exited);
    expect(importing(), "the import finished before it could be interrupted").toBe(true);
    child.kill("SIGINT");
    const [code] = await exited;

    const again = await todo(["import", file]);

    expect(code).toBe(130);
    expect(stderr).toMatch(/todo: interrupted/);
    expect(again.stdout).toMatch(new RegExp(`^COMPLETED: ${rows.toLocaleString("en-US")} imported`));
  });

  it.runIf(process.platform === "linux")(
    "stops on Ctrl-Z (SIGTSTP) holding no write lock, so that the server beside it goes on writing",
    async () => {
      const file = path.join(dir, "many.csv");
      await writeFile(file, `task\n${Array.from({ length: 600_000 }, (_, i) => `todo ${i}`).join("\n")}\n`);
      const child = spawn(...asJob(process.execPath, [CLI, "import", file]), {
        env: { ...process.env, DATA_DIR: path.join(dir, "data") },
        cwd: dir,
        stdio: ["ignore", "ignore", "ignore"],
      });
      const exited = once(child, "exit") as Promise<[number | null]>;
      // Stopped once rows are being written, as Ctrl-C is above.
      const importing = await rowsBeingWritten(exited);
      // At each stop, another process's write (the server's), which goes in at once unless the lock is held.
      const { stops, lockedAt } = await writeLockAtCtrlZ(child.pid!, path.join(dir, "data", "todos.db"), {
        times: 12,
        gone: () => !importing(),
      });
      const [code] = await exited;

      // Before the fix, 5 stops of 8 came inside a transaction (two runs): twelve all outside one are no luck.
      expect(stops, "the import finished before it was stopped twelve times").toBe(12);
      expect(lockedAt).toEqual([]);
      expect(code).toBe(0);
    },
  );

  /**
   * Resolves once an import that ends with `exited` has written rows (a listing finds some; one the import keeps
   * busy is retried), or has ended; with whether it still runs.
   */
  async function rowsBeingWritten(exited: Promise<unknown>): Promise<() => boolean> {
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running) {
      const listed = await todo(["list", "--limit", "1", "--json"]).catch(() => ({ stdout: "" }));
      if (listed.stdout.trim() !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return () => running;
  }

  /** The bytes of standard input copied so far into `tmp` (its one directory, then the file in it). */
  async function copiedBytes(tmp: string): Promise<number> {
    const [copy] = await readdir(tmp);
    if (copy === undefined) return 0;
    return (await stat(path.join(tmp, copy, "stdin.csv")).catch(() => ({ size: 0 }))).size;
  }

  /** `todo import - [args]` fed by a pipe, its temporary files in `tmp`; `input` is written, then the pipe closed. */
  function importStandardInput(tmp: string, args: string[] = [], input?: string) {
    const child = spawn(process.execPath, [CLI, "import", "-", ...args], {
      env: { ...process.env, DATA_DIR: path.join(dir, "data"), TMPDIR: tmp },
      cwd: dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    if (input !== undefined) child.stdin.end(input);
    const exited = (once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>).then(
      ([code, signal]) => ({
        code,
        signal,
        stdout,
        stderr,
      }),
    );
    return { child, exited };
  }

  it("imports standard input (-): piped again, the same bytes are the same import, and no copy is left", async () => {
    const tmp = path.join(dir, "tmp");
    await mkdir(tmp);
    const csv = 'task,name\n"Buy milk" , "Ann"\nCall mum,Bob\n';

    const first = await importStandardInput(tmp, ["--json"], csv).exited;
    const again = await importStandardInput(tmp, [], csv).exited;
    const listed = await todo(["list", "--json"]);

    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: "COMPLETED",
      imported: 2,
      source: { container: "stdin", key: "-", version: expect.stringMatching(/^sha256:/) },
    });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("Already imported") });
    expect(
      listed.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).task),
    ).toEqual(["Buy milk", "Call mum"]);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("stops on Ctrl-C while standard input is read, before any import: exit 130, and no copy is left", async () => {
    const tmp = path.join(dir, "tmp");
    await mkdir(tmp);
    const { child, exited } = importStandardInput(tmp);
    child.stdin.write("task\nfirst\n");
    // Its copy of standard input exists once it reads it, its Ctrl-C handler installed.
    await expect.poll(() => readdir(tmp), { timeout: 10_000 }).toHaveLength(1);
    child.kill("SIGINT");
    const { code, stdout, stderr } = await exited;

    expect(code).toBe(130);
    expect(stderr).toBe("todo: interrupted before the import started: nothing was imported.\n");
    expect(stdout).toBe("");
    expect(await readdir(tmp)).toEqual([]);
    expect((await todo(["list", "--json"])).stdout).toBe("");
  });

  // The first Ctrl-C stops the import cleanly, which includes recording it FAILED in the store; a second signal,
  // of either kind (Ctrl-C, then `kill`), kills the process without waiting for that. The copy of standard input
  // must not outlive it.
  it.each([
    ["SIGINT", "SIGINT"],
    ["SIGINT", "SIGTERM"],
    ["SIGTERM", "SIGINT"],
  ] as const)(
    "removes its copy of standard input on a second signal, which kills it before the first one's clean stop: %s, then %s",
    async (first, second) => {
      const tmp = path.join(dir, "tmp");
      await mkdir(tmp);
      await todo(["list"]); // creates the store
      const other = await openSqliteDatabase({ url: pathToFileURL(path.join(dir, "data", "todos.db")).href });
      try {
        // Another program holds the write lock: the import's writes, and the record of its stop, wait for it.
        other.exec("BEGIN IMMEDIATE");
        const input = "task\nfirst\nsecond\n";
        const { child, exited } = importStandardInput(tmp, [], input);
        // Once the copy is whole, the import starts and waits for the lock, and so does the record of its stop.
        // (A signal while the input is still copied stops at once, before any import: no time for a second one.)
        await expect.poll(() => copiedBytes(tmp), { timeout: 10_000 }).toBe(Buffer.byteLength(input));
        await new Promise((resolve) => setTimeout(resolve, 500));
        child.kill(first);
        // Apart, so that the two are two signals, not one pending twice.
        await new Promise((resolve) => setTimeout(resolve, 300));
        child.kill(second);
        const { signal } = await exited;

        expect(signal).toBe(second);
        expect(await readdir(tmp)).toEqual([]);
      } finally {
        other.exec("ROLLBACK");
        other.close();
      }
    },
  );

  it("exits 2 and prints usage for an unknown command", async () => {
    await expect(todo(["frobnicate"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Usage:"),
    });
  });

  it.each([
    ["an unknown command", ["frobnicate"], "not a command: frobnicate"],
    ["no command", [], "no command."],
    ["an option of the other command", ["list", "--quote", "single"], "--quote is for todo import."],
    [
      "the other option of the other command",
      ["import", "a.csv", "--limit", "5"],
      "--limit is for todo list.",
    ],
    ["an import of no file", ["import"], "todo import takes one file, - or s3:// URL."],
    [
      "a bad --quote",
      ["import", "--quote", "backtick", "todos.csv"],
      "--quote must be auto, double or single.",
    ],
  ])("checks %s before it opens the store, which it then never creates", async (_, args, message) => {
    const failure = (await todo(args).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(2);
    expect(failure.stderr.split("\n")[0]).toBe(`todo: ${message}`);
    await expect(access(path.join(dir, "data"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.runIf(process.platform === "linux")(
    "exits 2 when DATA_DIR cannot be made (under /proc), rather than hang",
    async () => {
      const failure = (await run(process.execPath, [CLI, "list"], {
        env: { ...process.env, DATA_DIR: "/proc/anycloud-cli-test/data" },
        cwd: dir,
      }).catch((error: unknown) => error)) as { code: number; stderr: string };

      expect(failure.code).toBe(2);
      expect(failure.stderr).toMatch(
        /^todo: cannot open the sqlite store in DATA_DIR=\/proc\/anycloud-cli-test\/data: ENOENT/,
      );
    },
  );

  it("exits 2 with one line when DATA_DIR cannot hold the store (it is a file)", async () => {
    await writeFile(path.join(dir, "data"), "not a directory");

    const failure = (await todo(["list"]).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^todo: cannot open the sqlite store in DATA_DIR=.+\n$/);
  });

  it("exits 2 with one line, no stack, on a database a newer build has migrated", async () => {
    await mkdir(path.join(dir, "data"));
    const database = await openSqliteDatabase({
      url: pathToFileURL(path.join(dir, "data", "todos.db")).href,
    });
    database.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    database.close();

    const failure = (await todo(["list"]).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };

    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /^todo: cannot open the sqlite store in DATA_DIR=.+: The database is at schema version \d+; this build knows \d+\.\n$/,
    );
  });

  it("exits 1 with one line, no stack, when the store does not answer", async () => {
    const failure = (await run(process.execPath, [CLI, "list"], {
      env: {
        ...process.env,
        TODO_STORE: "dynamodb",
        TODOS_TABLE: "todos",
        IMPORTS_TABLE: "imports",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        // Nothing listens on port 9: the connection is refused.
        DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
      },
      cwd: dir,
    }).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(1);
    // The one line is the last; the AWS SDK may warn before it (it does on Node 20).
    const lines = failure.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^todo: The todo store is unavailable\. \(.*ECONNREFUSED.*\)$/);
    expect(lines.filter((line) => line.startsWith("todo: "))).toHaveLength(1);
    expect(failure.stderr).not.toMatch(/^\s+at /m);
  });

  it.runIf(process.platform === "linux")(
    "exits 1 when the report cannot be written (a full disk), though the import ran",
    async () => {
      await writeFile(path.join(dir, "todos.csv"), "task\none\n");
      const full = await open("/dev/full", "w");
      const child = spawn(process.execPath, [CLI, "import", "todos.csv"], {
        env: { ...process.env, DATA_DIR: path.join(dir, "data") },
        cwd: dir,
        stdio: ["ignore", full.fd, "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => {
        stderr += chunk;
      });
      const [code] = (await once(child, "exit")) as [number | null];
      await full.close();

      expect(code).toBe(1);
      expect(stderr).toMatch(/^todo: could not write the report: ENOSPC/);
    },
  );

  it.runIf(process.platform === "linux")(
    "exits 2 for a directory as standard input, rather than import it as an empty file",
    async () => {
      const folder = await open(dir, "r");
      const child = spawn(process.execPath, [CLI, "import", "-"], {
        env: { ...process.env, DATA_DIR: path.join(dir, "data") },
        cwd: dir,
        stdio: [folder.fd, "pipe", "pipe"],
      });
      let output = "";
      child.stdout!.on("data", (chunk) => {
        output += chunk;
      });
      child.stderr!.on("data", (chunk) => {
        output += chunk;
      });
      const [code] = (await once(child, "exit")) as [number | null];
      await folder.close();

      expect(code).toBe(2);
      expect(output).toBe("todo: standard input is a directory, not a file.\n");
    },
  );

  it.runIf(process.platform === "linux")(
    "exits 1 with one line, no stack, when its copy of standard input cannot be written (a full disk)",
    async () => {
      const tmp = path.join(dir, "tmp");
      await mkdir(tmp);
      const rows = Array.from({ length: 20_000 }, (_, i) => `todo number ${i + 1}`);
      await writeFile(path.join(dir, "todos.csv"), `task\n${rows.join("\n")}\n`);
      // 100 blocks of the shell's unit (512 or 1,024 bytes), less than the input: a full disk's stand-in.
      const importing = run(
        "sh",
        ["-c", 'ulimit -f 100 && exec "$0" "$@" < "$TODO_INPUT"', process.execPath, CLI, "import", "-"],
        {
          env: { ...process.env, TODO_STORE: "memory", TMPDIR: tmp, TODO_INPUT: path.join(dir, "todos.csv") },
          cwd: dir,
        },
      );
      const failure = (await importing.catch((error: unknown) => error)) as { code: number; stderr: string };

      expect(failure.code).toBe(1);
      expect(failure.stderr.trimEnd().split("\n").at(-1)).toMatch(
        /^todo: could not write the copy of standard input in TMPDIR=.+: EFBIG: file too large, write$/,
      );
      expect(failure.stderr).not.toMatch(/^\s+at |errno/m);
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it.runIf(process.platform === "linux")(
    "exits 1 with one line, no stack, when the store cannot be closed (its last checkpoint on a full disk)",
    async () => {
      // Commits left in the write-ahead log, as another process (the server) leaves them: this command's close
      // copies them into todos.db, which a file size limit (a full disk's stand-in) then refuses.
      await mkdir(path.join(dir, "data"));
      const database = await openSqliteDatabase({
        url: pathToFileURL(path.join(dir, "data", "todos.db")).href,
      });
      database.exec("PRAGMA wal_autocheckpoint = 0");
      const tasks = Array.from({ length: 2000 }, (_, i) => `todo number ${i + 1} ${"x".repeat(100)}`);
      await new SqliteTodoRepository(database).putMany(tasks.map((task) => aTodo({ task })));
      try {
        // 200 blocks of the shell's unit (512 or 1,024 bytes): more than the cursor secret, less than the todos.
        const listing = run("sh", ["-c", 'ulimit -f 200 && exec "$0" "$@"', process.execPath, CLI, "list"], {
          env: { ...process.env, DATA_DIR: path.join(dir, "data") },
          cwd: dir,
          maxBuffer: 10 * 1024 * 1024,
        });
        const failure = (await listing.catch((error: unknown) => error)) as {
          code: number;
          stdout: string;
          stderr: string;
        };

        expect(failure.code).toBe(1);
        expect(failure.stdout.trim().split("\n")).toHaveLength(tasks.length);
        expect(failure.stderr).toMatch(
          /^todo: could not close the store \(.+\): what the command wrote is kept, and the next run reads it\.\n$/,
        );
      } finally {
        closeSqliteDatabase(database);
      }
    },
  );

  it("finds a relative file in the directory `pnpm todo` was called from", async () => {
    await mkdir(path.join(dir, "sub"));
    await writeFile(path.join(dir, "sub", "here.csv"), "task\nfrom a subdirectory\n");

    // What pnpm does: the script runs in the workspace root (here `dir`), INIT_CWD names the caller's.
    const imported = await run(process.execPath, [CLI, "import", "here.csv"], {
      env: {
        ...process.env,
        DATA_DIR: path.join(dir, "data"),
        npm_lifecycle_event: "todo",
        INIT_CWD: path.join(dir, "sub"),
      },
      cwd: dir,
    });

    expect(imported.stdout).toMatch(/^COMPLETED: 1 imported/);
  });
});

describe("the todo CLI on a terminal", () => {
  it("draws a progress bar with rows and rows/s while it imports", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-tty-"));
    const rows = Array.from({ length: 3000 }, (_, index) => `task ${index}`).join("\n");
    await writeFile(path.join(dir, "many.csv"), `task\n${rows}\n`);

    // `script` gives the CLI a pseudo-terminal, so stderr is a TTY as in an interactive shell.
    const { stdout } = await run(
      "script",
      ["-qec", `${process.execPath} ${CLI} import many.csv`, "/dev/null"],
      { env: { ...process.env, DATA_DIR: path.join(dir, "data") }, cwd: dir },
    );
    await rm(dir, { recursive: true, force: true });

    expect(stdout).toMatch(/\r\[[#-]{24}\] +\d+% {2}[\d,]+ rows {2}[\d,]+ rows\/s/);
    expect(stdout).toMatch(/COMPLETED: 3,000 imported, 0 rejected, 0 failed of 3,000 rows/);
  });
});
