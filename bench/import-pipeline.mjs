// Throughput of the CSV import pipeline against csv-parse alone, on the same 1,000,000-row file, in one
// process: (a) csv-parse with the baseline options (bom, records as arrays, relax_column_count), consuming the
// file; (b) `ImportTodos` reading the same file into a repository whose putMany discards (no store).
// Runs interleave (a, b, a, b...) after one warm-up each. Goal: median(b) / median(a) >= 0.6.
// Usage: npx tsc -b && node bench/import-pipeline.mjs [runs=5] [rows=1000000]
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateCsv } from "./generate-csv.mjs";
import { fmt, median, ratioVerdict } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const runs = Number(process.argv[2] ?? 5);
const rows = Number(process.argv[3] ?? 1_000_000);

const core = await import(pathToFileURL(path.join(root, "packages/core/dist/index.js")).href);
// The csv-parse core depends on, by file: its package exports do not reach it from here.
const { parse } = await import(
  pathToFileURL(path.join(root, "packages/core/node_modules/csv-parse/lib/index.js")).href
);

const file = await generateCsv(path.join(here, ".work", `import-pipeline-${rows}.csv`), rows);
const { size } = await stat(file);
const CHUNK = 64 * 1024;

/**
 * csv-parse at its own pace: records counted as its stream emits them. Not `for await`, which costs a promise per
 * record that the import pipeline (which takes records a chunk at a time) does not pay: that slowed the baseline
 * by some 7-20% and flattered the ratio (bench review).
 */
async function csvParseAlone() {
  let records = 0;
  const parser = createReadStream(file, { highWaterMark: CHUNK }).pipe(
    parse({ bom: true, relax_column_count: true }),
  );
  parser.on("data", () => {
    records += 1;
  });
  await finished(parser);
  // The header is a record too.
  if (records - 1 !== rows) throw new Error(`csv-parse read ${records - 1} records, not ${rows}.`);
  return records - 1;
}

/** A repository that accepts every batch and keeps nothing: the pipeline's cost without a store's. */
const discardingRepository = {
  preferredBatchSize: 500,
  async putMany() {
    return { failed: [] };
  },
};

let version = 0;
async function importPipeline() {
  version += 1;
  const importTodos = new core.ImportTodos(
    discardingRepository,
    new core.InMemoryImportLedger(),
    core.systemClock,
    core.silentLogger,
  );
  const report = await importTodos.execute(
    { source: { container: "bench", key: path.basename(file), version: String(version) } },
    { body: { body: createReadStream(file, { highWaterMark: CHUNK }), size } },
  );
  if (report.status !== "COMPLETED" || report.imported !== rows) {
    throw new Error(`Unexpected report: ${JSON.stringify({ ...report, errors: report.errors.slice(0, 3) })}`);
  }
  return report.imported;
}

async function measure(run) {
  const started = performance.now();
  const count = await run();
  return count / ((performance.now() - started) / 1000);
}

console.log(`${fmt(rows)} rows, ${fmt(size / 2 ** 20, 1)} MiB; 1 warm-up + ${runs} runs each, interleaved`);
await measure(csvParseAlone);
await measure(importPipeline);
const alone = [];
const pipeline = [];
for (let run = 1; run <= runs; run++) {
  alone.push(await measure(csvParseAlone));
  pipeline.push(await measure(importPipeline));
  console.log(`run ${run}: csv-parse ${fmt(alone.at(-1))} rows/s, import ${fmt(pipeline.at(-1))} rows/s`);
}
console.log(`(a) csv-parse alone:   ${fmt(median(alone))} rows/s (median)`);
console.log(`(b) import pipeline:   ${fmt(median(pipeline))} rows/s (median)`);
console.log(ratioVerdict("b / a", pipeline, alone, { atLeast: 0.6 }));
