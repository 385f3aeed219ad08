// Peak RSS and rows/s of `todo import` into SQLite, for 100k and 1M rows, each in a fresh process.
// Goal: peak RSS for 1M rows <= 150 MB and within 20 MB of the peak for 100k rows (memory stays flat).
// Usage: pnpm build && node bench/import-into-sqlite.mjs [runs=3]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCsv } from "./generate-csv.mjs";
import { fmt, median } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const runs = Number(process.argv[2] ?? 3);

// The child imports the file through the server's composition root (as `todo import` does) and reports
// its own peak RSS.
const child = `
  const { readConfig, composeServerApp, LocalFileObjectSource } = await import(${JSON.stringify(path.join(root, "apps/server/dist/index.js"))});
  const { silentLogger } = await import(${JSON.stringify(path.join(root, "packages/core/dist/index.js"))});
  const app = await composeServerApp(readConfig(), silentLogger);
  const ref = await LocalFileObjectSource.refOf(process.argv[1]);
  const started = performance.now();
  const report = await app.importTodos.execute({ source: { container: ref.container, key: ref.key, version: ref.version } });
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  console.log(JSON.stringify({ imported: report.imported, status: report.status, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

const results = {};
for (const rows of [100_000, 1_000_000]) {
  const file = await generateCsv(path.join(here, ".work", `todos-${rows}.csv`), rows);
  results[rows] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), "anycloud-rss-"));
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", child, file], {
      env: { ...process.env, DATA_DIR: dataDir, TODO_STORE: "sqlite" },
    });
    rmSync(dataDir, { recursive: true, force: true });
    const result = JSON.parse(output.toString());
    if (result.imported !== rows || result.status !== "COMPLETED") throw new Error(`bad import: ${output}`);
    results[rows].push(result);
    console.log(
      `${fmt(rows)} rows, run ${run + 1}: ${fmt(result.maxRssMb, 1)} MB peak RSS, ${fmt(rows / result.seconds)} rows/s`,
    );
  }
}
const peak = (rows) => median(results[rows].map((r) => r.maxRssMb));
const rate = (rows) => median(results[rows].map((r) => rows / r.seconds));
console.log(
  `\nmedian of ${runs}: 100k rows ${fmt(peak(100_000), 1)} MB, ${fmt(rate(100_000))} rows/s; 1M rows ${fmt(peak(1_000_000), 1)} MB, ${fmt(rate(1_000_000))} rows/s`,
);
console.log(
  `1M peak - 100k peak = ${fmt(peak(1_000_000) - peak(100_000), 1)} MB (goal <= 20); 1M peak <= 150 MB: ${peak(1_000_000) <= 150}`,
);
