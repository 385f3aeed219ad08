// Peak RSS and rows/s of `todo import` into SQLite, for 100k and 1M rows: the real CLI, run as the root
// package.json's `todo` script runs it (same node flags), each run in a fresh process and a fresh DATA_DIR.
// The peak RSS is the child's own, as GNU time reports it (/usr/bin/time, Linux).
// Goal: peak RSS for 1M rows <= 150 MB and within 20 MB of the peak for 100k rows (memory stays flat). Printed in
// MiB (as GNU time's KiB / 1024), and judged on the largest of the runs, as a ceiling should be.
// Usage: pnpm build && node bench/import-into-sqlite.mjs [runs=3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateCsv } from "./generate-csv.mjs";
import { fmt, median } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const runs = Number(process.argv[2] ?? 3);

// `"todo": "node <flags> apps/server/dist/cli.js"`: the flags users get with `pnpm todo`.
const todoScript = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.todo;
const nodeFlags = todoScript.split(/\s+/).filter((word) => word.startsWith("--"));
const cli = path.join(root, "apps/server/dist/cli.js");
const { openSqliteDatabase, closeSqliteDatabase } = await import(
  pathToFileURL(path.join(root, "apps/server/dist/storage/index.js")).href
);

/** The todos the store in `dataDir` holds: the report's count is checked against the table's. */
async function storedTodos(dataDir) {
  const database = await openSqliteDatabase({ url: pathToFileURL(path.join(dataDir, "todos.db")).href });
  try {
    return Number(database.prepare("SELECT count(*) FROM todos").raw().get()[0]);
  } finally {
    await closeSqliteDatabase(database);
  }
}
console.log(`todo script: ${todoScript}`);

const results = {};
for (const rows of [100_000, 1_000_000]) {
  const file = await generateCsv(path.join(here, ".work", `todos-${rows}.csv`), rows);
  results[rows] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), "anycloud-rss-"));
    // Removed however the run ends: a failed import left its store behind (29 MB after 100k rows, seen).
    try {
      const started = performance.now();
      const child = spawnSync(
        "/usr/bin/time",
        ["-f", "maxrss_kb=%M", process.execPath, ...nodeFlags, cli, "import", file, "--json"],
        { env: { ...process.env, DATA_DIR: dataDir, TODO_STORE: "sqlite" }, encoding: "utf8" },
      );
      const seconds = (performance.now() - started) / 1000;
      const rss = /maxrss_kb=(\d+)/.exec(child.stderr ?? "");
      if (child.status !== 0 || !rss) throw new Error(`todo import failed: ${child.stdout}\n${child.stderr}`);
      const report = JSON.parse(child.stdout);
      if (report.imported !== rows || report.status !== "COMPLETED")
        throw new Error(`bad import: ${child.stdout}`);
      const stored = await storedTodos(dataDir);
      if (stored !== rows) throw new Error(`the store holds ${stored} todos after importing ${rows} rows`);
      results[rows].push({ seconds, maxRssMb: Number(rss[1]) / 1024 });
      console.log(
        `${fmt(rows)} rows, run ${run + 1}: ${fmt(results[rows].at(-1).maxRssMb, 1)} MiB peak RSS, ${fmt(rows / seconds)} rows/s (process start to exit)`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
const peak = (rows) => Math.max(...results[rows].map((r) => r.maxRssMb));
const medianPeak = (rows) => median(results[rows].map((r) => r.maxRssMb));
const rate = (rows) => median(results[rows].map((r) => rows / r.seconds));
console.log(
  `\n${runs} runs: 100k rows peak RSS median ${fmt(medianPeak(100_000), 1)} MiB, max ${fmt(peak(100_000), 1)} MiB, ${fmt(rate(100_000))} rows/s (median); 1M rows median ${fmt(medianPeak(1_000_000), 1)} MiB, max ${fmt(peak(1_000_000), 1)} MiB, ${fmt(rate(1_000_000))} rows/s`,
);
// The goals are in MB (10^6 bytes); the peaks are printed in MiB, as GNU time's KiB give them.
const inMb = (mib) => (mib * 2 ** 20) / 1e6;
const highestMb = inMb(peak(1_000_000));
const growthMb = inMb(peak(1_000_000) - peak(100_000));
console.log(
  `largest 1M peak ${fmt(peak(1_000_000), 1)} MiB = ${fmt(highestMb, 1)} MB (goal <= 150 MB: ${highestMb <= 150 ? "met" : "missed"}); largest 1M peak - largest 100k peak = ${fmt(growthMb, 1)} MB (goal <= 20 MB: ${growthMb <= 20 ? "met" : "missed"})`,
);
