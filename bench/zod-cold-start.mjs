// What zod costs at cold start: the time to import it in a fresh Node process, against the time to import
// nothing, and zod/mini for comparison; plus the whole of @anycloud/core. Medians of N fresh processes.
// Usage: pnpm build && node bench/zod-cold-start.mjs [runs=15]
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 15);
const coreDir = path.join(root, "packages/core");
const targets = {
  nothing: "node:os",
  zod: "zod",
  "zod/mini": "zod/mini",
  "csv-parse": "csv-parse",
  "@anycloud/core": path.join(coreDir, "dist/index.js"),
};

function importMs(specifier) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  return Number(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: coreDir }).toString(),
  );
}

const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
for (let run = 0; run < runs; run++) {
  for (const [name, specifier] of Object.entries(targets)) samples[name].push(importMs(specifier));
}
const baseline = median(samples.nothing);
console.log(`import time in a fresh process, median of ${runs} (ratio to importing node:os):`);
for (const [name, values] of Object.entries(samples)) {
  console.log(
    `  ${name.padEnd(16)} ${fmt(median(values), 2).padStart(8)} ms  ${fmt(median(values) / baseline, 1)}x`,
  );
}
