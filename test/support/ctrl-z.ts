import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { closeSqliteDatabase, openSqliteDatabase } from "@anycloud/server/storage";

/**
 * Stops the process `pid` with Ctrl-Z's SIGTSTP `times` times, and at each stop tries a write of another process
 * on `databaseFile`, without waiting for the lock, before it sends SIGCONT. How many stops there were (fewer when
 * the process ended, or `gone()` says so, first) and at which of them the write lock was held.
 */
export async function writeLockAtCtrlZ(
  pid: number,
  databaseFile: string,
  { times, gone }: { times: number; gone: () => boolean },
): Promise<{ stops: number; lockedAt: number[] }> {
  const other = await openSqliteDatabase({ url: pathToFileURL(databaseFile).href, busyTimeoutMs: 0 });
  const lockedAt: number[] = [];
  let stops = 0;
  try {
    for (; stops < times; stops++) {
      if (!(await stopped(pid, gone))) break;
      try {
        other.exec("BEGIN IMMEDIATE");
        other.exec("ROLLBACK");
      } catch {
        lockedAt.push(stops);
      }
      process.kill(pid, "SIGCONT");
      // Some work between two stops.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    closeSqliteDatabase(other);
    continueIfRunning(pid);
  }
  return { stops, lockedAt };
}

/** Never left stopped, whatever failed: SIGCONT, unless the process has ended meanwhile. */
function continueIfRunning(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Sends SIGTSTP; true once the process is stopped, false if it has gone instead. */
async function stopped(pid: number, gone: () => boolean): Promise<boolean> {
  if (gone()) return false;
  process.kill(pid, "SIGTSTP");
  for (;;) {
    const state = await processState(pid);
    if (state === "T") return true;
    if (state === undefined || gone()) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A process's state as Linux shows it (`R` running, `S` sleeping, `T` stopped), or undefined once it is gone. */
async function processState(pid: number): Promise<string | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return /^State:\s+(\S)/m.exec(status)?.[1];
}
