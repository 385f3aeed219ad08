// What the libraries the AWS functions bundle cost at cold start: the time to import an esbuild bundle (as a
// Lambda loads one) in a fresh process, against a bundle of one statement, which pays the same for Node's ES
// module loader and nothing else. Each bundle does what the functions do with its library at load:
//   zod, zod/mini: define the same small schema and parse one value with it (zod compiles a schema's checks
//                  on its first parse; core uses zod/mini, and builds its schemas on first use);
//   inversify:     make a container, bind a value and resolve it (apps/aws/src/composition/container.ts does
//                  this for each function: the first bind and get compile much of inversify's code);
//   fetch's Request and Response: make one of each and read their bodies, which loads node's bundled undici on
//                  first touch (why core's `api.handle` and the Lambda adapter use neither; see the README).
// Plus, as Node loads it unbundled (many files, as the plain server does): zod/mini and the whole of
// @anycloud/core. Medians of N fresh processes, interleaved.
// Usage: pnpm build && node bench/library-cold-start.mjs [runs=15]
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 15);
const coreDir = path.join(root, "packages/core");
const awsDir = path.join(root, "apps/aws");
const work = path.join(root, "bench/.work/library-cold-start");
mkdirSync(work, { recursive: true });
const { build } = createRequire(path.join(awsDir, "package.json"))("esbuild");

// Each entry is written where its library resolves from: zod in core, inversify in the AWS app.
const sources = {
  "one statement": [coreDir, `globalThis.loaded = true;`],
  zod: [
    coreDir,
    `import { z } from "zod"; globalThis.loaded = z.strictObject({ task: z.string().trim().min(1).max(500), name: z.string().nullish(), checked: z.boolean().optional() }).parse({ task: "x" });`,
  ],
  "zod/mini": [
    coreDir,
    `import * as z from "zod/mini"; globalThis.loaded = z.strictObject({ task: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)), name: z.nullish(z.string()), checked: z.optional(z.boolean()) }).parse({ task: "x" });`,
  ],
  inversify: [
    awsDir,
    `import { Container } from "inversify"; const container = new Container({ defaultScope: "Singleton" }); container.bind("config").toConstantValue({}); globalThis.loaded = container.get("config");`,
  ],
  "fetch Request + Response": [
    coreDir,
    `const request = new Request("http://localhost/todos", { method: "POST", body: "{}" }); globalThis.loaded = await new Response(await request.text()).text();`,
  ],
};
const targets = {};
for (const [name, [dir, source]] of Object.entries(sources)) {
  const slug = name.replace(/\W+/g, "-");
  const entry = path.join(dir, `.bench-${slug}.mjs`);
  writeFileSync(entry, source);
  const outfile = path.join(work, `${slug}.bundle.mjs`);
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      target: "node22",
      // As apps/aws/scripts/bundle.mjs resolves packages: their ES module builds.
      conditions: ["module"],
      mainFields: ["module", "main"],
      logLevel: "error",
    });
  } finally {
    rmSync(entry);
  }
  targets[`${name} (bundle, ${fmt(statSync(outfile).size / 1024, 1)} KiB)`] = outfile;
}
targets["zod/mini (unbundled)"] = "zod/mini";
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
const [baselineName] = Object.keys(targets);
const baseline = median(samples[baselineName]);
console.log(`import time in a fresh process, median of ${runs}; more than, and ratio to, ${baselineName}:`);
for (const [name, values] of Object.entries(samples)) {
  const ms = median(values);
  console.log(
    `  ${name.padEnd(42)} ${fmt(ms, 2).padStart(8)} ms  +${fmt(ms - baseline, 2).padStart(6)} ms  ${fmt(ms / baseline, 1)}x`,
  );
}
