// Where a cold start's CPU time goes, by package: the api function and the hand-written handler of
// bench/aws-cold-start.mjs, each bundled as bundle.mjs does but not minified (so that each line of the bundle
// still says which file, and so which package, it came from), loaded and invoked once (GET /todos?limit=20, on
// the DynamoDB stand-in) in N fresh processes under V8's sampling profiler. Prints, per process, the median
// milliseconds of samples whose running function comes from each package, ours against the hand-written one.
// The profiler slows everything down (a sample every 100 µs): these are shares to compare, not cold-start times
// (bench/aws-cold-start.mjs measures those). "node (internal)" is node's own start-up and module loader, "(idle)"
// the wait for the stand-in's answers.
// Usage: node bench/aws-cold-start-profile.mjs [processes=8]
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundle } from "../apps/aws/scripts/bundle.mjs";
import { bundleHandwritten, startFunctionsStore } from "./aws-functions.mjs";
import { fmt, httpApiEvent, median } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const processes = Number(process.argv[2] ?? 8);
const work = path.join(here, ".work", "aws-cold-start-profile");
rmSync(work, { recursive: true, force: true });

// Unminified, so that each line of a bundle still says which file, and so which package, it came from.
await bundle("api", "src/handlers/todo-api.ts", path.join(work, "api"), { minify: false });
// As bench/aws-cold-start.mjs bundles the goal's baseline: as ours (Lambda's two credential sources).
await bundleHandwritten(path.join(work, "hand-written"), { sdkDefaultCredentials: false, minify: false });
const CASES = ["api", "hand-written"];
for (const name of CASES) mkdirSync(path.join(work, name, "profiles"));

// Seeded as for bench/aws-cold-start.mjs: the GET profiled lists the same todos as the one timed there.
const store = await startFunctionsStore("profile");
const event = httpApiEvent("get.json", "/todos", { limit: "20" });

const CHILD = `
const { handler } = await import(process.env.BENCH_BUNDLE);
const result = await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: "bench", functionName: "bench" });
if (result.statusCode !== 200) throw new Error("answered " + result.statusCode + ": " + result.body);
process.exit(0);
`;
try {
  for (let run = 0; run < processes; run++) {
    for (const name of CASES) {
      const dir = path.join(work, name);
      const child = spawnSync(
        process.execPath,
        ["--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${path.join(dir, "profiles")}`].concat([
          "--input-type=module",
          "-e",
          CHILD,
        ]),
        {
          env: {
            ...process.env,
            BENCH_BUNDLE: pathToFileURL(path.join(dir, "index.mjs")).href,
            BENCH_EVENT: JSON.stringify(event),
            ...store.env,
          },
        },
      );
      if (child.status !== 0) throw new Error(`${name} exited ${child.status}: ${child.stderr}`);
    }
  }
} finally {
  await store.stop();
}

/** The package each line of an unminified bundle comes from (esbuild heads each file with `// path`). */
function packageOfLines(bundleFile) {
  // Before the first file's header: the banner and esbuild's helpers (`__esm`, `__init`...), which every
  // module's start-up passes through, so some of the others' time lands here (bench review).
  let owner = "(banner, esbuild's helpers)";
  return readFileSync(bundleFile, "utf8")
    .split("\n")
    .map((line) => {
      const file = /^\/\/ (\S+\.(?:js|mjs|cjs|ts|json))$/.exec(line)?.[1];
      if (file) owner = packageOf(file);
      return owner;
    });
}

function packageOf(file) {
  const inModules = file.lastIndexOf("node_modules/");
  if (inModules === -1) {
    const workspace = file.replace(/^(\.\.\/)+/, "");
    return workspace.startsWith("src/") ? "apps/aws" : workspace.split("/").slice(0, 2).join("/");
  }
  const parts = file.slice(inModules + "node_modules/".length).split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Milliseconds of samples by package, one record per profile (process). */
function msByPackage(name) {
  const dir = path.join(work, name);
  const bundleUrl = pathToFileURL(path.join(dir, "index.mjs")).href;
  const owners = packageOfLines(path.join(dir, "index.mjs"));
  return readdirSync(path.join(dir, "profiles")).map((file) => {
    const profile = JSON.parse(readFileSync(path.join(dir, "profiles", file), "utf8"));
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const totals = {};
    profile.samples.forEach((id, index) => {
      const frame = frames.get(id);
      const owner =
        frame.url === bundleUrl
          ? owners[frame.lineNumber]
          : frame.url.startsWith("node:")
            ? "node (internal)"
            : frame.functionName.startsWith("(")
              ? frame.functionName
              : "node (native)";
      totals[owner] = (totals[owner] ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000;
    });
    return totals;
  });
}

const ours = msByPackage("api");
const baseline = msByPackage("hand-written");
const medianOf = (profiles, owner) => median(profiles.map((totals) => totals[owner] ?? 0));
const total = (profiles) =>
  median(profiles.map((totals) => Object.values(totals).reduce((a, b) => a + b, 0)));
const owners = [...new Set([...ours, ...baseline].flatMap(Object.keys))]
  .map((owner) => [owner, medianOf(ours, owner), medianOf(baseline, owner)])
  .filter(([, a, b]) => a >= 0.1 || b >= 0.1)
  .sort((x, y) => y[1] - y[2] - (x[1] - x[2]));
console.log(
  `CPU profile of load + first invoke (GET /todos?limit=20 on ${store.kind}), ${processes} processes each; median ms per process, under the profiler:`,
);
console.log(
  `  ${"package".padEnd(34)} ${"api".padStart(8)} ${"hand-written".padStart(13)} ${"difference".padStart(11)}`,
);
for (const [owner, a, b] of owners) {
  console.log(
    `  ${owner.padEnd(34)} ${fmt(a, 2).padStart(8)} ${fmt(b, 2).padStart(13)} ${`${a - b >= 0 ? "+" : ""}${fmt(a - b, 2)}`.padStart(11)}`,
  );
}
console.log(
  `  ${"all samples (not wall time)".padEnd(34)} ${fmt(total(ours), 1).padStart(8)} ${fmt(total(baseline), 1).padStart(13)}`,
);
