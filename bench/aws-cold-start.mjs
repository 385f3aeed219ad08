// Cold start of the AWS functions: the size of every bundle apps/aws/scripts/bundle.mjs builds, and, for the two
// that serve the todo API on DynamoDB, "load + first invoke" in a fresh `node` process per sample:
//   workshopTodos with POST /todo/add, api with GET /todos?limit=20 (HTTP API 2.0 events, real-shaped)
// against bench/aws-handwritten-handler.mjs (the same jobs by hand with the same @aws-sdk/client-dynamodb), invoked
// with the same events. The goal's baseline is that handler bundled exactly as ours are (bundle.mjs's esbuild
// settings, and the swap of the SDK's default credential chain for the two sources Lambda uses,
// apps/aws/src/bundling/lambda-credentials.ts): the same client, so that what is left is our code's. The
// handler bundled with the default chain, as a developer who does not trim it gets, is measured too, as
// context. (Until a bench review, the goal was judged against that one, which the swap alone puts ahead.)
// Every sample spawns the six processes, in an order that rotates. The child times `await import(bundle)` and
// the first `await handler(event)` with performance.now(); the parent times the whole process (spawn → exit).
// One DynamoDB stand-in (LocalStack, DynamoDB Local or dynalite: the project's launcher picks and says) serves
// every sample, its table seeded with a few todos. Goal: ours <= 1.15x the baseline, in bytes and in time; the
// verdict is on the medians, with the paired ratios' range (a range across 1.15 is not settled).
// Usage: node apps/aws/scripts/bundle.mjs && node bench/aws-cold-start.mjs [samples=15]
//        (BENCH_NODE=/path/to/node runs the samples on another Node, e.g. 22 as on Lambda's nodejs22.x)
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { FUNCTIONS } from "../apps/aws/scripts/bundle.mjs";
import { bundleHandwritten, startFunctionsStore } from "./aws-functions.mjs";
import { fmt, httpApiEvent, median, outputOf, ratioVerdict } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const awsApp = path.join(root, "apps/aws");
const samples = Number(process.argv[2] ?? 15);
const node = process.env.BENCH_NODE || process.execPath;
const work = path.join(here, ".work", "aws-cold-start");

// --- The baseline bundle, with the functions' own esbuild settings ---
await mkdir(work, { recursive: true });
const baselineBundle = path.join(work, "handwritten", "index.mjs");
const swappedBundle = path.join(work, "handwritten-lambda-credentials", "index.mjs");
await bundleHandwritten(path.dirname(baselineBundle), { sdkDefaultCredentials: true });
const swappedMeta = await bundleHandwritten(path.dirname(swappedBundle), { sdkDefaultCredentials: false });

// --- Sizes ---
const bundleOf = (name) => path.join(awsApp, "dist", name, "index.mjs");
const sizeOf = (file) => ({ bytes: statSync(file).size, gzip: gzipSync(readFileSync(file)).length });
const kib = (bytes) => `${fmt(bytes / 1024, 1)} KiB`;
const baselineSize = sizeOf(baselineBundle);
const swappedSize = sizeOf(swappedBundle);
console.log("bundle sizes (minified; gzip in brackets):");
for (const name of Object.keys(FUNCTIONS)) {
  const { bytes, gzip } = sizeOf(bundleOf(name));
  console.log(`  ${name.padEnd(16)} ${kib(bytes).padStart(12)}  (${kib(gzip)})`);
}
console.log(
  `  ${"hand-written".padEnd(16)} ${kib(baselineSize.bytes).padStart(12)}  (${kib(baselineSize.gzip)})`,
);
console.log(
  `  ${"hand-written, Lambda credentials".padEnd(16)} ${kib(swappedSize.bytes).padStart(12)}  (${kib(swappedSize.gzip)})`,
);

// Where the bytes go: each bundle's output bytes by package, from esbuild's metafiles.
const metas = JSON.parse(readFileSync(path.join(awsApp, "dist/meta.json"), "utf8"));
function bytesByPackage(metafile) {
  const totals = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const inModules = input.lastIndexOf("node_modules/");
      let owner;
      if (inModules === -1) owner = workspaceOwner(input);
      else {
        const parts = input.slice(inModules + "node_modules/".length).split("/");
        owner = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
      }
      totals[owner] = (totals[owner] ?? 0) + bytesInOutput;
    }
  }
  return totals;
}

/** A workspace file's owner; metafile paths are relative to where esbuild ran (the root or apps/aws). */
function workspaceOwner(input) {
  const file = input.replace(/^(\.\.\/)+/, "");
  if (file.startsWith("src/") || file.startsWith("apps/aws/")) return "apps/aws (composition, handlers)";
  if (file.startsWith("bench/")) return "bench (the hand-written handler)";
  return file.split("/").slice(0, 2).join("/");
}

// --- The stand-in and its table ---
const store = await startFunctionsStore("bench");

// --- The events: the repository's HTTP API 2.0 fixtures, pointed at the routes measured ---
const addEvent = httpApiEvent("post-json.json", "/todo/add");
const listEvent = httpApiEvent("get.json", "/todos", { limit: "20" });

const CASES = [
  { name: "workshopTodos", route: "POST /todo/add", event: addEvent, status: 200 },
  { name: "api", route: "GET /todos?limit=20", event: listEvent, status: 200 },
];

// The child: import the bundle, invoke it once, print the two times. It exits at once, as a frozen Lambda
// sandbox would not linger either (an idle keep-alive socket would otherwise keep it up).
const CHILD = `
const started = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
const loaded = performance.now();
const result = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: "bench", functionName: "bench" });
const invoked = performance.now();
console.log(JSON.stringify({ loadMs: loaded - started, invokeMs: invoked - loaded, statusCode: result.statusCode, body: result.body.slice(0, 200) }));
process.exit(0);
`;
const childEnv = { ...process.env, ...store.env };

/** One fresh process: { loadMs, invokeMs, firstMs (load + invoke), wallMs }. */
async function coldStart(bundle, { event, status }) {
  const started = performance.now();
  const child = spawn(node, ["--input-type=module", "-e", CHILD], {
    env: { ...childEnv, BENCH_BUNDLE: pathToFileURL(bundle).href, BENCH_EVENT: JSON.stringify(event) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { code, stdout, stderr } = await outputOf(child);
  const wallMs = performance.now() - started;
  const line = stdout.trim().split("\n").at(-1) ?? "";
  let result;
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`${bundle} exited ${code}:\n${stdout}\n${stderr}`);
  }
  if (result.statusCode !== status)
    throw new Error(`${bundle} answered ${result.statusCode}: ${result.body}`);
  return { ...result, firstMs: result.loadMs + result.invokeMs, wallMs };
}

const results = Object.fromEntries(CASES.map(({ name }) => [name, { ours: [], baseline: [], swapped: [] }]));
try {
  // One warm-up of each (file cache, the stand-in's first requests), not counted.
  for (const testCase of CASES) {
    await coldStart(bundleOf(testCase.name), testCase);
    await coldStart(baselineBundle, testCase);
    await coldStart(swappedBundle, testCase);
  }
  for (let sample = 0; sample < samples; sample++) {
    for (const testCase of CASES) {
      const runs = [
        ["ours", bundleOf(testCase.name)],
        ["baseline", baselineBundle],
        ["swapped", swappedBundle],
      ];
      // Each goes first, second and third in turn.
      for (let turn = 0; turn < sample % runs.length; turn++) runs.push(runs.shift());
      for (const [who, bundle] of runs) results[testCase.name][who].push(await coldStart(bundle, testCase));
    }
    const line = CASES.map(({ name }) => {
      const { ours, swapped, baseline } = results[name];
      return `${name} ${fmt(ours.at(-1).firstMs, 1)} / ${fmt(ours.at(-1).wallMs)} ms, hand-written ${fmt(swapped.at(-1).firstMs, 1)} / ${fmt(swapped.at(-1).wallMs)} ms (default chain ${fmt(baseline.at(-1).firstMs, 1)} / ${fmt(baseline.at(-1).wallMs)} ms)`;
    }).join("; ");
    console.log(`sample ${String(sample + 1).padStart(2)} (load+invoke / process): ${line}`);
  }
} finally {
  await store.stop();
}

// One file a Node version: a run on Node 22 after one on Node 20 leaves the first's samples.
const nodeVersion = execFileSync(node, ["--version"]).toString().trim();
const rawPath = path.join(work, `samples-${nodeVersion}.json`);
writeFileSync(rawPath, JSON.stringify({ stand_in: store.kind, results }, null, 1));

const med = (list, key) => median(list.map((sample) => sample[key]));
console.log(
  `\nDynamoDB stand-in: ${store.kind}; children on Node ${nodeVersion}; ${samples} samples each, interleaved; medians (raw samples in ${path.relative(root, rawPath)}):`,
);
for (const { name, route } of CASES) {
  const { ours, baseline, swapped } = results[name];
  const size = sizeOf(bundleOf(name));
  // Each line: ours vs the hand-written handler bundled as ours (the goal), then vs the one with the default chain.
  const compare = (label, a, b, c, unit, goal) =>
    console.log(
      `  ${label.padEnd(15)} ${unit(a).padStart(11)} vs ${unit(b).padStart(11)}  ${fmt(a / b, 2)}x${goal ? "  goal <= 1.15x" : "              "}  | vs ${unit(c).padStart(11)}  ${fmt(a / c, 2)}x`,
    );
  console.log(
    `${name} (${route}) vs hand-written, bundled as ours | vs hand-written with the default chain:`,
  );
  compare("size", size.bytes, swappedSize.bytes, baselineSize.bytes, kib, true);
  compare("size (gzip)", size.gzip, swappedSize.gzip, baselineSize.gzip, kib, false);
  for (const [key, label] of [
    ["loadMs", "import"],
    ["invokeMs", "first invoke"],
    ["firstMs", "load + invoke"],
    ["wallMs", "whole process"],
  ]) {
    // The goal is load + first invoke (and size); the whole process, node's own start-up included, is context.
    const ms = (value) => `${fmt(value, 1)} ms`;
    compare(label, med(ours, key), med(swapped, key), med(baseline, key), ms, key === "firstMs");
  }
  const firstMs = (list) => list.map((sample) => sample.firstMs);
  const sizeRatio = size.bytes / swappedSize.bytes;
  console.log(`  size ${fmt(sizeRatio, 2)}x (goal <= 1.15x: ${sizeRatio <= 1.15 ? "met" : "missed"})`);
  console.log(`  ${ratioVerdict("load + invoke", firstMs(ours), firstMs(swapped), { atMost: 1.15 })}`);
  console.log(
    `  context, against the default chain: ${ratioVerdict("load + invoke", firstMs(ours), firstMs(baseline), { atMost: 1.15 })}`,
  );
}

// Bytes by package, ours against the hand-written handler, largest differences first.
const baselineByPackage = bytesByPackage(swappedMeta);
for (const { name } of CASES) {
  const ours = bytesByPackage(metas[name]);
  const owners = [...new Set([...Object.keys(ours), ...Object.keys(baselineByPackage)])]
    .map((owner) => [owner, ours[owner] ?? 0, baselineByPackage[owner] ?? 0])
    .sort((x, y) => Math.abs(y[1] - y[2]) - Math.abs(x[1] - x[2]))
    .slice(0, 8);
  console.log(
    `${name}: output bytes by package (ours vs hand-written, bundled as ours), largest differences:`,
  );
  for (const [owner, a, b] of owners) {
    console.log(
      `  ${owner.padEnd(34)} ${kib(a).padStart(11)} ${kib(b).padStart(11)}  ${a - b >= 0 ? "+" : ""}${kib(a - b)}`,
    );
  }
}
