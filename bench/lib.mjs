// Shared helpers for the benchmarks: medians, child processes and Lambda events. Benchmarks report ratios against
// a baseline measured in the same run; a single absolute time on a shared machine is not a figure.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { openSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const HTTP_API_FIXTURES = new URL("../test/fixtures/events/apigw-http/", import.meta.url);

/**
 * The repository's HTTP API 2.0 fixture `name` (get.json, post-json.json...), pointed at `path` with the
 * query `query` (none by default), as the benchmarks invoke the functions with it.
 */
export function httpApiEvent(name, path, query = {}) {
  const event = JSON.parse(readFileSync(new URL(name, HTTP_API_FIXTURES), "utf8"));
  event.rawPath = event.requestContext.http.path = path;
  event.rawQueryString = new URLSearchParams(query).toString();
  if (Object.keys(query).length > 0) event.queryStringParameters = { ...query };
  else delete event.queryStringParameters;
  return event;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The verdict line of a ratio goal, `atLeast` (a rate: ours over the baseline's) or `atMost` (a time or a size).
 * The goal is judged on the ratio of the medians (each side's median over its runs); the paired ratios (run by
 * run, so the two sides must have as many) are printed with their range, and a range that straddles the goal
 * says the result is not settled on this machine.
 */
export function ratioVerdict(label, ours, baseline, { atLeast, atMost }) {
  if ((atLeast === undefined) === (atMost === undefined)) {
    throw new Error(`${label}: give one goal, atLeast or atMost`);
  }
  if (ours.length === 0 || ours.length !== baseline.length) {
    throw new Error(`${label}: ${ours.length} runs against ${baseline.length}, not paired`);
  }
  const meets = atLeast !== undefined ? (ratio) => ratio >= atLeast : (ratio) => ratio <= atMost;
  const goal = atLeast !== undefined ? `>= ${fmt(atLeast, 2)}` : `<= ${fmt(atMost, 2)}`;
  const ratio = median(ours) / median(baseline);
  const paired = ours.map((value, index) => value / baseline[index]);
  const low = Math.min(...paired);
  const high = Math.max(...paired);
  const verdict = meets(ratio) ? "met" : "missed";
  const settled = meets(low) === meets(high) ? "" : "; the runs straddle the goal: not settled";
  return `${label} = ${fmt(ratio, 2)} (goal ${goal}: ${verdict}); paired ratios ${fmt(low, 2)}..${fmt(high, 2)}, median ${fmt(median(paired), 2)}${settled}`;
}

/**
 * Resolves once `child` (spawned with stdout and stderr piped) has exited and closed its output: its exit code,
 * and what it wrote to each, as text. Rejects if it could not be spawned.
 */
export async function outputOf(child) {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, "close");
  return { code, stdout, stderr };
}

/** Spawns `node args` and resolves once a stdout line satisfies `ready` (returns the parsed line). */
export function startNode(args, { env = {}, ready, logFile }) {
  // With `logFile`, the child's stdout goes to that file, and this process only reads it until ready: a
  // server logging a line per request then costs the load generator (this process) nothing.
  const out = logFile ? openSync(logFile, "w") : "pipe";
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", out, "inherit"],
  });
  const started = new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
    if (logFile) {
      const timer = setInterval(() => {
        for (const line of readFileSync(logFile, "utf8").split("\n")) {
          const value = line && ready(line);
          if (value) {
            clearInterval(timer);
            resolve(value);
            return;
          }
        }
      }, 50);
      child.once("exit", () => clearInterval(timer));
      return;
    }
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const value = ready(line);
      if (value) {
        lines.close();
        child.stdout.resume();
        resolve(value);
      }
    });
  });
  return {
    child,
    started,
    stop: () =>
      new Promise((resolve) => {
        // A child that has exited already (it failed to start, or crashed) sends no second "exit": waiting for
        // one left a caller's `finally` hanging, so its temp files stayed and its error was never printed.
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  } catch {
    return Number.NaN;
  }
})();

/** The CPU seconds (user and system) process `pid` has used so far, read from /proc (Linux); NaN where unreadable. */
export function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

export function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
