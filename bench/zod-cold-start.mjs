// What zod costs at cold start, as Node loads it (unbundled, many files) and as a Lambda loads it (one esbuild
// bundle): the import time in a fresh process against importing nothing, for classic zod and zod/mini, each
// defining the same small schema; plus the whole of @anycloud/core unbundled. Medians of N fresh processes.
// Usage: pnpm build && node bench/zod-cold-start.mjs [runs=15]
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 15);
const coreDir = path.join(root, "packages/core");
const work = path.join(root, "bench/.work/zod");
mkdirSync(work, { recursive: true });
const { build } = createRequire(path.join(root, "apps/aws/package.json"))("esbuild");

const schemaOf = {
  zod: `import { z } from "zod"; export const todo = z.strictObject({ task: z.string().trim().min(1).max(500), name: z.string().nullish(), checked: z.boolean().optional() });`,
  "zod/mini": `import * as z from "zod/mini"; export const todo = z.strictObject({ task: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)), name: z.nullish(z.string()), checked: z.optional(z.boolean()) });`,
};
const targets = { nothing: "node:os" };
for (const [name, source] of Object.entries(schemaOf)) {
  const entry = path.join(coreDir, `.bench-${name.replace("/", "-")}.mjs`);
  writeFileSync(entry, source);
  const outfile = path.join(work, `${name.replace("/", "-")}.bundle.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    logLevel: "error",
  });
  execFileSync("rm", [entry]);
  targets[`${name} (unbundled)`] = name;
  targets[`${name} (bundle, ${fmt(statSync(outfile).size / 1024)} KiB)`] = outfile;
}
targets["@anycloud/core (unbundled)"] = path.join(coreDir, "dist/index.js");

function importMs(specifier) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  return Number(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: coreDir,
      stdio: ["ignore", "pipe", "inherit"],
    }).toString(),
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
    `  ${name.padEnd(34)} ${fmt(median(values), 2).padStart(8)} ms  ${fmt(median(values) / baseline, 1)}x`,
  );
}
