// What a hostile CSV upload costs against a plain one of the same size, in the same run: quote detection on a
// sample of quotes inside fields, rows of the wrong width, and the peak memory of an upload handed over in one
// chunk (as a Lambda event hands it) against the same bytes streamed. No goal: the figures say whether a bad
// file costs about what a good one does. Usage: pnpm build && node bench/hostile-uploads.mjs [runs=5]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { detectQuote } from "../packages/core/dist/csv-import/detect-quote.js";
import { readTodoRows } from "../packages/core/dist/csv-import/read-todo-rows.js";
import { fmt, median } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 5);

/** The median time of `runs` calls of `work`, after one to warm up, in ms. */
async function timed(work) {
  await work();
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return median(times);
}

// 1. Quote detection reads the first 64 KiB: a line of `"` inside a field (csv-parse reports one error per quote,
// each with a copy of the field) against 64 KiB of plain rows.
const SAMPLE = 64 * 1024;
const quotes = Buffer.from(`task\n'x'\na${'"'.repeat(SAMPLE - 16)}\n`);
const plainRows = Buffer.from(`task,name\n${"Water the plants,Ann\n".repeat(SAMPLE / 21)}`);
const detection = {
  hostile: await timed(() => detectQuote(quotes, { endOfFile: true })),
  plain: await timed(() => detectQuote(plainRows, { endOfFile: true })),
};

// 2. Rows of another width than the header's (every one rejected) against valid rows, per row, 1 MiB each.
async function perRow(line) {
  const rows = Math.floor((1024 * 1024) / line.length);
  const text = Buffer.from(`task,name,dueDate,checked\n${line.repeat(rows)}`);
  async function* body() {
    for (let at = 0; at < text.length; at += 64 * 1024) yield text.subarray(at, at + 64 * 1024);
  }
  const ms = await timed(async () => {
    for await (const _ of readTodoRows(body(), { quote: '"', maxRecordBytes: 64 * 1024 })) {
      // Read and dropped: the parse is what is timed.
    }
  });
  return (ms * 1000) / rows;
}
const width = { hostile: await perRow("a\n"), plain: await perRow("Water the plants,Ann,01-12-2026,x\n") };

// 3. An upload through the API (a store that keeps nothing, so that only the import's own memory shows), its body one 5.5 MB chunk with a Content-Length (a Lambda
// event's) or the same bytes in 64 KiB chunks: the peak memory of a process that does only that.
function peakRss(oneChunk) {
  const script = `
    import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
    const text = Buffer.from("task\\n" + "a\\n".repeat(2_750_000));
    class Discarding extends InMemoryTodoRepository { async putMany() { return { failed: [] }; } }
    const api = createTodoApi({ todos: new Discarding(), imports: new InMemoryImportLedger(),
      limits: { csvBytes: 8 * 1024 * 1024 } });
    const body = ${oneChunk}
      ? text
      : new ReadableStream({ start(c) { for (let at = 0; at < text.length; at += 65536) c.enqueue(text.subarray(at, at + 65536)); c.close(); } });
    const response = await api(new Request("http://localhost/todos/import", { method: "POST", body, duplex: "half",
      headers: { "content-type": "text/csv", "content-length": String(text.length) } }));
    const report = await response.json();
    if (report.imported !== 2_750_000) throw new Error("imported " + JSON.stringify(report).slice(0, 300));
    console.log(process.resourceUsage().maxRSS);`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: path.join(root, "packages/core"),
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return Number(child.stdout.trim()) / 1024;
}
const rss = {
  oneChunk: median([peakRss(true), peakRss(true), peakRss(true)]),
  streamed: median([peakRss(false), peakRss(false), peakRss(false)]),
};

console.log(`${runs} runs each, medians; hostile against plain input of the same size, same run`);
console.log(
  `quote detection, 64 KiB: quotes inside a field ${fmt(detection.hostile, 1)} ms, plain rows ${fmt(detection.plain, 1)} ms: ${fmt(detection.hostile / detection.plain, 2)}x`,
);
console.log(
  `rows of the wrong width (1 MiB): ${fmt(width.hostile, 2)} µs/row, valid rows ${fmt(width.plain, 2)} µs/row: ${fmt(width.hostile / width.plain, 2)}x`,
);
console.log(
  `upload of 2.75M rows (5.5 MB), peak RSS: one chunk ${fmt(rss.oneChunk, 0)} MiB, streamed ${fmt(rss.streamed, 0)} MiB: ${fmt(rss.oneChunk / rss.streamed, 2)}x`,
);
