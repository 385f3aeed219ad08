import { type ChildProcess, spawn } from "node:child_process";

/**
 * A shell in a group of its own that reads its stdin, a pipe from this process, until it ends, then kills the
 * process group `pgid` (when given) and removes the folder `temp`. The pipe ends however this process ends: a
 * signal's default action (a Ctrl-C on a test run, a CI timeout) and SIGKILL run no 'exit' handler, this does.
 * Kill it once what it watches is stopped, so that it never signals a group id used again.
 */
export function startCleanupWatchdog(temp: string, pgid?: number): ChildProcess {
  const kill = pgid === undefined ? "" : `kill -9 -${pgid} 2>/dev/null; `;
  // The folder comes as an argument ($1), never spliced into the script.
  const script = `while read -r _; do :; done; ${kill}rm -rf -- "$1"`;
  const watchdog = spawn("sh", ["-c", script, "watchdog", temp], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  // Neither the watchdog nor its pipe keeps this process running.
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
