// Module hooks that let a benchmark import the project's TypeScript launchers (the AWS stand-ins) without a
// build step: `.ts` files are transpiled by esbuild's transform, and a relative `./x.js` import from a `.ts`
// file is served by `./x.ts` when no `.js` file is there (the TypeScript "nodenext" convention), and workspace
// packages imported from a `.ts` file resolve with the "@anycloud/source" condition (as vitest does). Registered
// by aws-stand-ins.mjs; nothing else is affected.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const { transformSync } = createRequire(new URL("../apps/aws/package.json", import.meta.url))("esbuild");

export async function resolve(specifier, context, next) {
  if (!context.parentURL?.endsWith(".ts")) return next(specifier, context);
  if (specifier.startsWith(".") && specifier.endsWith(".js")) {
    const candidate = new URL(specifier.replace(/\.js$/, ".ts"), context.parentURL);
    if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(candidate)) {
      return { url: candidate.href, shortCircuit: true };
    }
  }
  // From TypeScript sources, workspace packages resolve to their sources too, as under vitest.
  return next(specifier, { ...context, conditions: [...context.conditions, "@anycloud/source"] });
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const file = fileURLToPath(url);
  const { code } = transformSync(readFileSync(file, "utf8"), {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcefile: file,
  });
  return { format: "module", source: code, shortCircuit: true };
}
