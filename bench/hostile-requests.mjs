// What a hostile request costs against a plain one of the same size, in the same run: a JSON body at the limit
// (unknown fields, nested arrays) against one long task, uploads held one byte short of their end against streamed
// ones, and the event loop's delay while rows that all fail validation are imported against valid rows. No goal:
// the figures say whether a bad request costs about what a good one does. Usage: pnpm build && node
// bench/hostile-requests.mjs [runs=5]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { fmt } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 5);

/**
 * Runs `script` (ES module text, run from the repository's root) in a node of its own with `flags`, and returns
 * the JSON its last line prints.
 */
function inChild(script, flags = []) {
  const child = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}

// 1. JSON bodies of 64 KiB through the API (core, in process): the heap they take (a young generation large enough
// that nothing is collected during the request) and their time, each kind against one long task.
const JSON_BODIES = `
  const LIMIT = 64 * 1024;
  const keys = [];
  for (let i = 0, size = 2; ; i++) {
    const key = '"' + i.toString(36) + '":0';
    if (size + key.length + 1 > LIMIT) break;
    keys.push(key);
    size += key.length + 1;
  }
  const half = (LIMIT - 12) >> 1;
  const BODIES = {
    "unknown fields": "{" + keys.join(",") + "}",
    "nested arrays": '{"task":' + "[".repeat(half) + "]".repeat(half) + "}",
    "one long task": '{"task":"' + "x".repeat(LIMIT - 12) + '"}',
  };
`;
const jsonCost = inChild(
  `
  import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "./packages/core/dist/index.js";
  ${JSON_BODIES}
  const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
  const post = (text) => api.handle({ method: "POST", url: "http://localhost/todos",
    headers: new Headers({ "content-type": "application/json" }), body: [Buffer.from(text)] });
  const result = {};
  for (const [kind, text] of Object.entries(BODIES)) {
    for (let i = 0; i < 20; i++) await post(text);
    const times = [];
    const heap = [];
    for (let run = 0; run < ${runs}; run++) {
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      const started = performance.now();
      const reply = await post(text);
      times.push(performance.now() - started);
      heap.push(process.memoryUsage().heapUsed - before);
      if (reply.status >= 500) throw new Error(kind + ": " + reply.status);
    }
    const mid = (list) => list.sort((a, b) => a - b)[list.length >> 1];
    result[kind] = { ms: mid(times), mb: mid(heap) / 1e6 };
  }
  console.log(JSON.stringify(result));
`,
  ["--expose-gc", "--max-semi-space-size=256", "--min-semi-space-size=256"],
);

// 2. The server's RSS while 30 uploads at a 4 MiB limit are held one byte short of their end: with an
// Idempotency-Key (read whole, within BODY_MEMORY_LIMIT, here 16 MiB) against none (streamed), on its SQLite store.
async function heldUploads(keyed) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "anycloud-hostile-"));
  const server = spawn(process.execPath, [path.join(root, "apps/server/dist/main.js")], {
    env: {
      ...process.env,
      PORT: "0",
      DATA_DIR: dataDir,
      CSV_BODY_LIMIT: String(4 << 20),
      BODY_MEMORY_LIMIT: String(16 << 20),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
      createInterface({ input: server.stdout }).on("line", (line) => {
        if (line.includes('"listening"')) resolve(JSON.parse(line).url);
      });
    });
    const rss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))[1]) / 1024;
    const csv = Buffer.from(`task,name\n${"write the report,Jane Doe\n".repeat((4 << 20) / 26)}`);
    const idle = rss();
    const statuses = [];
    const requests = Array.from({ length: 30 }, (_, index) => {
      const request = http.request(new URL("/todos/import", url), {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "text/csv",
          "content-length": csv.length,
          ...(keyed && { "idempotency-key": `held-${index}` }),
        },
      });
      request.on("response", (response) => {
        statuses.push(response.statusCode);
        response.resume();
      });
      request.on("error", () => {});
      request.write(csv.subarray(0, csv.length - 1));
      return request;
    });
    let peak = idle;
    for (let tick = 0; tick < 100; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      peak = Math.max(peak, rss());
    }
    for (const request of requests) request.destroy();
    return { growth: peak - idle, refused: statuses.filter((status) => status === 503).length };
  } finally {
    server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const held = { keyed: await heldUploads(true), streamed: await heldUploads(false) };

// 3. The event loop's delay (its median over the import) while 2 MiB of rows are imported through the API, in one
// chunk as a Lambda event hands it: rows that all fail validation against valid ones.
function loopDelay(row) {
  return inChild(`
    import { monitorEventLoopDelay } from "node:perf_hooks";
    import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "./packages/core/dist/index.js";
    const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
    const text = Buffer.from("task,dueDate\\n" + ${JSON.stringify(row)}.repeat(Math.floor((2 << 20) / ${row.length})));
    const delays = [];
    for (let run = 0; run < ${runs}; run++) {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      await api.handle({ method: "POST", url: "http://localhost/todos/import",
        headers: new Headers({ "content-type": "text/csv", "content-length": String(text.length) }), body: [text] });
      histogram.disable();
      delays.push(histogram.percentile(50) / 1e6);
    }
    console.log(JSON.stringify(delays.sort((a, b) => a - b)[delays.length >> 1]));
  `);
}
const delay = { refused: loopDelay(",x\n"), valid: loopDelay("t,2026-01-02\n") };

console.log("JSON body of 64 KiB through the API, median of", runs);
for (const [kind, { ms, mb }] of Object.entries(jsonCost)) {
  console.log(`  ${kind.padEnd(16)} ${fmt(ms, 2).padStart(6)} ms  ${fmt(mb, 2).padStart(6)} MB of heap`);
}
console.log(
  "30 uploads of 4 MiB held one byte short of their end (BODY_MEMORY_LIMIT 16 MiB): server RSS growth",
);
console.log(
  `  with a key    ${fmt(held.keyed.growth, 0).padStart(5)} MiB, ${held.keyed.refused} refused 503`,
);
console.log(
  `  streamed      ${fmt(held.streamed.growth, 0).padStart(5)} MiB, ${held.streamed.refused} refused 503`,
);
console.log(
  `event loop delay while 2 MiB of rows are imported (median of the import's median, ${runs} runs)`,
);
console.log(
  `  all refused   ${fmt(delay.refused, 1).padStart(5)} ms; valid ${fmt(delay.valid, 1)} ms: ${fmt(delay.refused / delay.valid, 2)}x`,
);
