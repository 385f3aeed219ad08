// Per-invocation cost of the Lambda HTTP adapter, warm: one HTTP API 2.0 event `GET /todos/{id}` in, one result
// out, an in-memory store behind it, invocations awaited one after another as a Lambda sandbox runs them.
//   ours:  createLambdaHttpHandler(createTodoApi({ todos, imports })) from packages/*/dist
//   Hono:  handle(app) from hono/aws-lambda, on a Hono app whose one route reads the same store and answers
//          the same JSON with the same headers (checked before measuring)
// Same process, one warm-up round, then rounds of N invocations each, the two alternating in blocks of 1,000
// within a round. Reports invocations/s per round, the medians and ours/Hono. Goal: ours >= Hono's (>= 1.00).
// Usage: npx tsc -b && node bench/aws-invocation-overhead.mjs [rounds=9] [invocations=20000]
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, httpApiEvent, median, ratioVerdict } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv[2] ?? 9);
const invocations = Number(process.argv[3] ?? 20_000);
const load = (file) => import(pathToFileURL(path.join(root, file)).href);

const core = await load("packages/core/dist/index.js");
const { createLambdaHttpHandler } = await load("packages/adapters-aws/dist/http/index.js");
// Hono is a dependency of apps/server only: take its ESM entries from there.
const honoDir = path.join(root, "node_modules/hono");
const honoExports = JSON.parse(readFileSync(path.join(honoDir, "package.json"), "utf8")).exports;
const { Hono } = await load(path.relative(root, path.join(honoDir, honoExports["."].import)));
const { handle } = await load(path.relative(root, path.join(honoDir, honoExports["./aws-lambda"].import)));

// One todo in one store, served by both.
const todos = new core.InMemoryTodoRepository();
const id = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
await todos.create({
  id,
  task: "Benchmark the adapter",
  name: "Bench",
  dueDate: "2026-12-01",
  checked: false,
  createdAt: "2026-11-26T10:00:00.000Z",
  updatedAt: "2026-11-26T10:00:00.000Z",
  version: 1,
});

const ours = createLambdaHttpHandler(core.createTodoApi({ todos, imports: new core.InMemoryImportLedger() }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const app = new Hono();
app.get("/todos/:id", async (c) => {
  const requestId = c.req.header("x-request-id") ?? randomUUID();
  const todoId = c.req.param("id");
  const todo = UUID.test(todoId) ? await todos.get(todoId) : undefined;
  if (!todo) return c.json({ status: 404, title: "Not Found" }, 404, { "x-request-id": requestId });
  return c.json(todo, 200, {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    etag: `"${todo.version}"`,
    "x-request-id": requestId,
  });
});
const hono = handle(app);

// The repository's HTTP API 2.0 GET fixture, pointed at the todo.
const event = httpApiEvent("get.json", `/todos/${id}`);
// As Lambda's: ours arms a timer per invocation from getRemainingTimeInMillis (its time limit), which counts.
const context = { awsRequestId: "bench", functionName: "bench", getRemainingTimeInMillis: () => 29_000 };

// Both must answer the same thing, or the comparison means nothing (key order and the request id aside).
const comparable = ({ headers = {}, cookies = [], ...rest }) => {
  const fields = { ...rest, cookies, headers: {} };
  for (const name of Object.keys(headers).sort()) {
    fields.headers[name] = name === "x-request-id" ? "<uuid>" : headers[name];
  }
  return JSON.stringify(fields, Object.keys(fields).sort().concat(Object.keys(fields.headers)));
};
const [oursResult, honoResult] = [await ours(event, context), await hono(event, context)];
if (oursResult.statusCode !== 200 || comparable(oursResult) !== comparable(honoResult)) {
  console.error("The two answers differ:", { ours: oursResult, hono: honoResult });
  process.exit(1);
}
console.log(`both answer: ${comparable(oursResult)}`);

/** Invokes `handler` `count` times, one after another; returns the milliseconds it took. */
async function timeInvocations(handler, count) {
  const started = performance.now();
  for (let index = 0; index < count; index++) await handler(event, context);
  return performance.now() - started;
}

// A round alternates the two in blocks of BLOCK invocations, so that both see the same machine (this one is
// shared and its speed drifts by tens of percent within seconds); each side's rate is over its blocks' total.
const BLOCK = 1000;
async function round(count) {
  const ms = { ours: 0, hono: 0 };
  for (let block = 0; block * BLOCK < count; block++) {
    const order = block % 2 ? ["hono", "ours"] : ["ours", "hono"];
    // The last block is what is left of `count`: whole blocks ran more invocations than the rate divides by
    // (2,500 ran 3,000; 500 ran 1,000, and printed half the rate and twice the µs each).
    const size = Math.min(BLOCK, count - block * BLOCK);
    for (const who of order) ms[who] += await timeInvocations(who === "ours" ? ours : hono, size);
  }
  return { ours: count / (ms.ours / 1000), hono: count / (ms.hono / 1000) };
}

await round(invocations / 4); // warm-up: JIT, caches
const rates = { ours: [], hono: [] };
for (let index = 1; index <= rounds; index++) {
  const rate = await round(invocations);
  rates.ours.push(rate.ours);
  rates.hono.push(rate.hono);
  console.log(
    `round ${index}: ours ${fmt(rate.ours)} inv/s, Hono ${fmt(rate.hono)} inv/s, ratio ${fmt(rate.ours / rate.hono, 2)}`,
  );
}
const a = median(rates.ours);
const b = median(rates.hono);
console.log(
  `\nGET /todos/{id}, ${rounds} rounds of ${fmt(invocations)} invocations, Node ${process.version}`,
);
console.log(
  `ours ${fmt(a)} inv/s (${fmt(1e6 / a, 1)} µs each), Hono ${fmt(b)} inv/s (${fmt(1e6 / b, 1)} µs each)`,
);
console.log(ratioVerdict("ours / Hono", rates.ours, rates.hono, { atLeast: 1 }));
