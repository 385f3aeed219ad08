import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SERVER_MAIN = path.join(REPOSITORY_ROOT, "apps/server/dist/main.js");
export const CLI = path.join(REPOSITORY_ROOT, "apps/server/dist/cli.js");

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line printed so far. */
  logs: Record<string, unknown>[];
  /** Sends a signal and resolves with the exit code, once every line the server printed has been read. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `command args` as a shell starts a job: in a process group of its own, whose parent (this process) is in another
 * group of the same session, so that Ctrl-Z's SIGTSTP stops it. Left in the test runner's group, it may be in an
 * orphaned one (CI started under `setsid`), where POSIX discards SIGTSTP; and node's `detached` makes a session of
 * its own, orphaned too. Node cannot set a process group, so perl (in every Debian, as `perl-base`) does it, then
 * becomes the command: the pid is the command's. Out of the runner's group, a Ctrl-C on the run never reaches the
 * job, and the runner it kills runs no `afterAll`: so the kernel kills the job when its parent dies (setpriv's
 * `--pdeathsig`, of util-linux, in every Debian too). Without it, a server started so kept running after a Ctrl-C.
 */
export function asJob(command: string, args: string[]): [string, string[]] {
  return [
    "setpriv",
    ["--pdeathsig", "KILL", "--", "perl", "-e", "setpgrp(0, 0); exec @ARGV or die $!", command, ...args],
  ];
}

// Servers a test file started and that are still running when it ends: a test that failed before its `stop()`
// leaves one behind, which would outlive the run (its parent gone) on the machine.
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts `node apps/server/dist/main.js` on a free port and waits for its "listening" log line. With `ownGroup`, in
 * a process group of its own, as a shell runs a job: see `asJob`.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { ownGroup = false }: { ownGroup?: boolean } = {},
): Promise<ServerProcess> {
  const [command, args] = ownGroup
    ? asJob(process.execPath, [SERVER_MAIN])
    : [process.execPath, [SERVER_MAIN]];
  const child = spawn(command, args, {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  // On "close", not "exit": a process may exit before its last lines are read from the pipe, and a test reading
  // `logs` once it stopped would miss them.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within 15 s: ${stderr}`));
    }, 15_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // A line that is no JSON is a defect the log tests look for; kept as text here, not thrown.
        entry = { text: line };
      }
      logs.push(entry);
      if (entry.msg === "listening") {
        clearTimeout(timer);
        resolve(entry.url as string);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    logs,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return exited;
    },
  };
}
