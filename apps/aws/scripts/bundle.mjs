// One esbuild bundle per function: dist/<function>/index.mjs, minified and tree-shaken, built from the
// TypeScript sources of the workspace (the "@anycloud/source" condition), so no prior `tsc -b` is needed.
// Prints each bundle's size; writes dist/meta.json (esbuild's metafile) for the cold-start benchmark.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Function name in serverless.yml → its entry. addTodo and listTodo share the workshop entry. */
export const FUNCTIONS = {
  hello: "src/handlers/hello.ts",
  helloHttp: "src/handlers/hello-http.ts",
  workshopTodos: "src/handlers/workshop-todos.ts",
  api: "src/handlers/todo-api.ts",
  importUpload: "src/handlers/upload-api.ts",
  csvImport: "src/handlers/csv-import.ts",
};

/**
 * The SDK clients' default credential chain, swapped for src/bundling/lambda-credentials.ts: the environment,
 * then the container endpoint, which is where Lambda gives a function its credentials (that file says why).
 */
const lambdaCredentials = {
  name: "lambda-credentials",
  setup(builder) {
    builder.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: path.join(app, "src/bundling/lambda-credentials.ts"),
    }));
  },
};

/**
 * Bundles `entry` (relative to apps/aws, or absolute) into `outdir/index.mjs`. `sdkDefaultCredentials` keeps
 * the SDK's whole default credential chain (the bench's hand-written baseline, bundled as a developer would);
 * `extra` adds esbuild options.
 */
export async function bundle(
  name,
  entry,
  outdir = path.join(app, "dist", name),
  { sdkDefaultCredentials = false, ...extra } = {},
) {
  const result = await build({
    entryPoints: [path.resolve(app, entry)],
    outfile: path.join(outdir, "index.mjs"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    treeShaking: true,
    sourcemap: false,
    legalComments: "none",
    // `module`: a package's ES module build (the AWS SDK's dist-es), which tree-shakes, where its CommonJS one
    // does not. esbuild adds `module` itself only while `conditions` is left unset; without it here, the
    // SDK's `exports` maps sent it to dist-cjs (measured: workshopTodos 603.0 -> about 466 KiB).
    conditions: ["module", "@anycloud/source"],
    // The same for packages with no `exports` map, which esbuild resolves by these fields instead.
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "warning",
    // Some CommonJS dependencies require() Node built-ins, which an ES module bundle has no require for.
    banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
    plugins: sdkDefaultCredentials ? [] : [lambdaCredentials],
    ...extra,
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const metas = {};
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    const meta = await bundle(name, entry);
    metas[name] = meta;
    const bytes = Object.values(meta.outputs).reduce((sum, output) => sum + output.bytes, 0);
    console.log(`${name.padEnd(14)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  dist/${name}/index.mjs`);
  }
  await writeFile(path.join(app, "dist", "meta.json"), JSON.stringify(metas));
}
