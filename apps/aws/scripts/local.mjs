// `pnpm --filter @anycloud/aws local`: the functions on this machine, in front of DynamoDB Local and s3rver.
// Bundles each function as scripts/bundle.mjs does for Lambda (into dist/local/functions/, so a deploy's
// bundles are left alone) and the loop itself (src/local/main.ts: workspace sources inlined, npm packages
// loaded from node_modules), then runs it: no `tsc -b` needed. Settings: see src/local/main.ts.
// The package.json script runs it after `trap '' INT TERM HUP`: the shell pnpm runs a script in is in the
// terminal's process group too, and killed by a Ctrl-C it made pnpm fail (exit 1) while the loop stopped
// cleanly. Ignoring the signals, the shell outlives the loop, which installs its own handlers all the same.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";
import { bundle, FUNCTIONS } from "./bundle.mjs";

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(app, "dist", "local");

// Workspace packages are bundled from their TypeScript sources; every other bare import stays external.
const npmPackagesExternal = {
  name: "npm-packages-external",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@anycloud/") ? undefined : { path: args.path, external: true },
    );
  },
};

await Promise.all(
  Object.entries(FUNCTIONS).map(([name, entry]) => bundle(name, entry, path.join(out, "functions", name))),
);
await build({
  entryPoints: [path.join(app, "src/local/main.ts")],
  outfile: path.join(out, "main.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["@anycloud/source"],
  plugins: [npmPackagesExternal],
  logLevel: "warning",
});
// esbuild's service process is not needed any more: the loop's process group holds only what runs.
await stop();

const { runLocalLoop } = await import(pathToFileURL(path.join(out, "main.mjs")).href);
await runLocalLoop(path.join(out, "functions"));
