// What the server's users see while `todo import` writes into its SQLite store: GET/POST latency and statuses.
// The real server and the real CLI (as `pnpm todo` runs it), each its own process on one DATA_DIR; autocannon
// sends GET /todos?limit=20 (8 connections) and POST /todos (2) for 10 s alone, then during `imports` imports at
// once (the first of `rows` rows, the others of 300k) and, with `uploadRows`, an upload of that many rows to
// POST /todos/import. Prints, for the load alone and beside the imports: latency percentiles, statuses, a 503's
// body; each import's exit, rows/s and message; the largest todos.db-wal seen (sampled every 100 ms).
// Goal: no request fails and none waits a second; every import COMPLETED; the WAL stays within tens of MiB.
// Usage: pnpm build && node bench/import-beside-server.mjs [rows=1000000] [imports=1] [uploadRows=0]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { generateCsv } from "./generate-csv.mjs";
import { fmt, outputOf, startNode } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const rows = Number(process.argv[2] ?? 1_000_000);
const importCount = Number(process.argv[3] ?? 1);
const uploadRows = Number(process.argv[4] ?? 0);
const nodeFlags = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"))
  .scripts.todo.split(/\s+/)
  .filter((word) => word.startsWith("--"));

const files = [await generateCsv(path.join(here, ".work", `todos-${rows}.csv`), rows)];
// Other imports are of other files (the same file twice would be one import, the second refused as running).
for (let index = 1; index < importCount; index++) {
  files.push(await generateCsv(path.join(here, ".work", `todos-${300_000 + index}.csv`), 300_000 + index));
}
const upload =
  uploadRows > 0
    ? await generateCsv(path.join(here, ".work", `todos-${uploadRows}.csv`), uploadRows)
    : undefined;

const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-beside-"));
const env = { DATA_DIR: dataDir, TODO_STORE: "sqlite" };
const server = startNode([path.join(root, "apps/server/dist/main.js")], {
  env: { ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", CSV_BODY_LIMIT: String(2 ** 30) },
  logFile: path.join(dataDir, "server.log"),
  ready: (line) => {
    const entry = JSON.parse(line);
    return entry.msg === "listening" && entry.url;
  },
});
try {
  const url = await server.started;
  for (let index = 0; index < 200; index++) await post(url, "/todos", { task: `seed ${index}` });

  const alone = await underLoad(url, () => sleep(10_000));
  report("load alone, 10 s", alone);

  const beside = await underLoad(url, async () => {
    const imports = files.map((file) => runImport(file));
    const uploaded = upload && uploadFile(url, upload);
    return { imports: await Promise.all(imports), upload: await uploaded };
  });
  report(
    `beside ${importCount} import(s)${upload ? ` and an upload of ${fmt(uploadRows)} rows` : ""}`,
    beside,
  );
  for (const result of beside.outcome.imports) {
    console.log(
      `  todo import ${path.basename(result.file)}: exit ${result.code}, ${result.report?.status ?? "-"}, ${fmt(result.report?.imported ?? 0)} rows in ${fmt(result.seconds, 1)} s = ${fmt((result.report?.imported ?? 0) / result.seconds)} rows/s${result.stderr ? `; said: ${result.stderr.trim()}` : ""}`,
    );
  }
  const { upload: uploaded } = beside.outcome;
  if (uploaded)
    console.log(`  upload: ${uploaded.status} in ${fmt(uploaded.seconds, 1)} s ${uploaded.summary}`);
  console.log(`  largest todos.db-wal: ${fmt(beside.walMax / 2 ** 20, 1)} MiB`);
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Runs `during` under the GET and POST load; the latencies and statuses of each, and the largest WAL seen. */
async function underLoad(url, during) {
  const wal = path.join(dataDir, "todos.db-wal");
  let walMax = 0;
  const sampler = setInterval(() => {
    try {
      walMax = Math.max(walMax, statSync(wal).size);
    } catch {}
  }, 100);
  let stopped = false;
  const load = (name, request, connections) => {
    const latencies = [];
    const statuses = {};
    const bodies = {};
    const errors = {};
    const instance = autocannon({
      url,
      connections,
      duration: 3600,
      timeout: 60,
      requests: [
        {
          ...request,
          onResponse: (status, body) => {
            if (stopped) return;
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status >= 400) bodies[status] ??= String(body).slice(0, 300);
          },
        },
      ],
    });
    instance.on("response", (_client, _status, _bytes, ms) => {
      if (!stopped) latencies.push(ms);
    });
    instance.on("reqError", (error) => {
      if (!stopped) errors[error.code ?? error.message] = (errors[error.code ?? error.message] ?? 0) + 1;
    });
    return { name, instance, latencies, statuses, bodies, errors, done: once(instance, "done") };
  };
  const loads = [
    load("GET /todos", { method: "GET", path: "/todos?limit=20" }, 8),
    load(
      "POST /todos",
      {
        method: "POST",
        path: "/todos",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task: "written beside an import" }),
      },
      2,
    ),
  ];
  const started = performance.now();
  const outcome = await during();
  const seconds = (performance.now() - started) / 1000;
  stopped = true;
  for (const { instance } of loads) instance.stop();
  await Promise.all(loads.map(({ done }) => done));
  clearInterval(sampler);
  return { loads, outcome, walMax, seconds };
}

function report(label, { loads, seconds }) {
  console.log(`${label} (${fmt(seconds, 1)} s):`);
  for (const { name, latencies, statuses, bodies, errors } of loads) {
    const sorted = latencies.sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    const counts = Object.entries({ ...statuses, ...errors }).map(([key, count]) => `${key}: ${fmt(count)}`);
    console.log(
      `  ${name.padEnd(12)} ${fmt(sorted.length / seconds)}/s; ms p50 ${fmt(at(50), 1)}, p99 ${fmt(at(99), 1)}, p99.9 ${fmt(at(99.9), 1)}, max ${fmt(at(100), 1)}; over 1 s: ${sorted.filter((ms) => ms > 1000).length}; ${counts.join(", ")}`,
    );
    for (const [status, body] of Object.entries(bodies)) console.log(`    a ${status}: ${body}`);
  }
}

async function runImport(file) {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeFlags, path.join(root, "apps/server/dist/cli.js"), "import", file, "--json"],
    { env: { ...process.env, ...env, LOG_LEVEL: "silent" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const { code, stdout, stderr } = await outputOf(child);
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {}
  return { file, code, report, stderr, seconds: (performance.now() - started) / 1000 };
}

async function uploadFile(url, file) {
  const started = performance.now();
  const response = await fetch(`${url}/todos/import`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: readFileSync(file),
  });
  const body = await response.json();
  const summary =
    response.status === 200 ? `(${fmt(body.imported)} imported)` : JSON.stringify(body).slice(0, 300);
  return { status: response.status, seconds: (performance.now() - started) / 1000, summary };
}

async function post(url, route, body) {
  const response = await fetch(`${url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${route}: ${response.status}`);
}
