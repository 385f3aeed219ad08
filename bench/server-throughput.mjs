// GET /todos?limit=20 on the Node server (SQLite store) against a raw node:http server that answers the same
// JSON bytes with the same headers, in the same run, alternating, with autocannon on loopback.
// Usage: pnpm build && node bench/server-throughput.mjs [runs=5] [seconds=5] [path=/todos?limit=20]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { cpuSecondsOf, fmt, median, ratioVerdict, startNode } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 5);
// Another path (e.g. /health, which touches no store) shows the floor set by HTTP, routing and logging alone.
const target = process.argv[4] ?? "/todos?limit=20";
const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-bench-"));

// The servers are stopped and dataDir removed however the run ends: a failed seeding, a non-200 sample or an
// error under load used to leave both servers running (orphaned, as this process exited) and dataDir behind.
let ours;
let raw;
const oursRates = [];
const rawRates = [];
const oursCpu = [];
const rawCpu = [];
let body;
try {
  // The server logs "listening" with its URL; PORT=0 lets the OS pick a free port.
  // Its one log line per request goes to a file, not through this process, which is also the load generator.
  ours = startNode([path.join(root, "apps/server/dist/main.js")], {
    env: { PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "info" },
    logFile: path.join(dataDir, "server.log"),
    ready: (line) => {
      const entry = JSON.parse(line);
      return entry.msg === "listening" && entry.url;
    },
  });
  const oursUrl = await ours.started;
  for (let index = 0; index < 100; index++) {
    const created = await fetch(`${oursUrl}/todos`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task: `benchmark todo ${index}`, name: "Bench", dueDate: "2026-12-01" }),
    });
    if (created.status !== 201) throw new Error(`seeding: ${created.status} ${await created.text()}`);
  }
  const sample = await fetch(`${oursUrl}${target}`);
  if (sample.status !== 200) throw new Error(`GET ${target}: ${sample.status} ${await sample.text()}`);
  body = Buffer.from(await sample.arrayBuffer());
  if (target === "/todos?limit=20" && JSON.parse(body.toString("utf8")).items.length !== 20) {
    throw new Error(`GET ${target} answered another page than 20 todos: ${body}`);
  }
  const headers = Object.fromEntries(
    [...sample.headers].filter(
      ([name]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(name),
    ),
  );

  raw = startNode(
    [
      "--input-type=module",
      "-e",
      `
  import { createServer } from "node:http";
  const body = Buffer.from(${JSON.stringify(body.toString("base64"))}, "base64");
  const headers = ${JSON.stringify(headers)};
  const server = createServer((req, res) => { res.writeHead(200, { ...headers, "content-length": body.length }); res.end(body); });
  server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
`,
    ],
    { ready: (line) => line.startsWith("http://") && line },
  );
  const rawUrl = await raw.started;

  /**
   * One run against `server`: its rate, and the CPU its process spent a request (from /proc), which the load
   * generator's share of the two cores does not blur as it does the rate.
   */
  async function measure(server, url) {
    const cpuBefore = cpuSecondsOf(server.child.pid);
    const result = await autocannon({ url: `${url}${target}`, connections: 20, duration: seconds });
    const cpuSeconds = cpuSecondsOf(server.child.pid) - cpuBefore;
    if (result.non2xx || result.errors)
      throw new Error(`errors: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rate: result.requests.average, cpuMicroseconds: (cpuSeconds * 1e6) / result.requests.total };
  }

  await measure(ours, oursUrl); // warm-up
  await measure(raw, rawUrl);
  for (let run = 0; run < runs; run++) {
    const mine = await measure(ours, oursUrl);
    const theirs = await measure(raw, rawUrl);
    oursRates.push(mine.rate);
    rawRates.push(theirs.rate);
    oursCpu.push(mine.cpuMicroseconds);
    rawCpu.push(theirs.cpuMicroseconds);
    console.log(
      `run ${run + 1}: server ${fmt(mine.rate)} req/s (${fmt(mine.cpuMicroseconds, 1)} µs CPU a request), ` +
        `raw node:http ${fmt(theirs.rate)} req/s (${fmt(theirs.cpuMicroseconds, 1)} µs)`,
    );
  }
} finally {
  await ours?.stop();
  await raw?.stop();
  await rm(dataDir, { recursive: true, force: true });
}

console.log(`\nGET ${target} (${body.length} bytes), ${runs} runs of ${seconds} s, 20 connections`);
console.log(`median server ${fmt(median(oursRates))} req/s, raw node:http ${fmt(median(rawRates))} req/s`);
// autocannon runs in this process, on one core: it may set the raw server's pace, which flatters the ratio.
console.log(ratioVerdict("server / raw node:http", oursRates, rawRates, { atLeast: 0.7 }));
// Context, not the goal: the server process's own CPU a request, against the raw server's.
const cpuRatios = oursCpu.map((cpu, index) => cpu / rawCpu[index]);
console.log(
  `CPU a request: server ${fmt(median(oursCpu), 1)} µs, raw node:http ${fmt(median(rawCpu), 1)} µs, ` +
    `${fmt(median(oursCpu) / median(rawCpu), 2)}× (paired ${fmt(Math.min(...cpuRatios), 2)}..${fmt(Math.max(...cpuRatios), 2)})`,
);
