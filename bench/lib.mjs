// Shared helpers for the benchmarks: medians and child processes. Benchmarks report ratios against a
// baseline measured in the same run; a single absolute time on a shared machine is not a figure.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Spawns `node args` and resolves once a stdout line satisfies `ready` (returns the parsed line). */
export function startNode(args, { env = {}, ready }) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const value = ready(line);
      if (value) resolve(value);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
  });
  return {
    child,
    started,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

export function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
