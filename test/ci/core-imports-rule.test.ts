// The linter's rule that keeps cloud SDKs and DI containers out of packages/core (biome.json), run on a probe
// file placed in core for the test: it must refuse each such import there, and nothing of the same elsewhere.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = path.join(REPOSITORY, "node_modules/@biomejs/biome/bin/biome");

const FORBIDDEN_IN_CORE = [
  "@aws-sdk/client-s3",
  "aws-sdk",
  // The workshop's v2 clients are imported by their own paths too, as firebase-admin's parts are.
  "aws-sdk/clients/dynamodb",
  "@smithy/types",
  "aws-lambda",
  "@azure/functions",
  "@google-cloud/functions-framework",
  "firebase-admin",
  "firebase-admin/firestore",
  "inversify",
  "inversify/lib/cjs/index.js",
  "@inversifyjs/core",
  "reflect-metadata",
  "reflect-metadata/lite",
  "@anycloud/adapters-aws",
  "@anycloud/server",
];

/** The import statements biome's noRestrictedImports refuses in a probe file at `directory`. */
function refusedImportsIn(directory: string): string[] {
  const probe = path.join(REPOSITORY, directory, `restricted-imports-probe-${process.pid}.ts`);
  writeFileSync(probe, `${FORBIDDEN_IN_CORE.map((name) => `import "${name}";`).join("\n")}\n\nexport {};\n`);
  try {
    const run = spawnSync(process.execPath, [BIOME, "lint", "--reporter=json", probe], {
      cwd: REPOSITORY,
      encoding: "utf8",
    });
    const { diagnostics } = JSON.parse(run.stdout) as {
      diagnostics: { category: string; location: { start: { line: number } } }[];
    };
    return diagnostics
      .filter((diagnostic) => diagnostic.category === "lint/style/noRestrictedImports")
      .map((diagnostic) => FORBIDDEN_IN_CORE[diagnostic.location.start.line - 1]!);
  } finally {
    rmSync(probe, { force: true });
  }
}

describe("the rule that keeps clouds and DI containers out of core", () => {
  it("refuses each cloud SDK, Lambda's types, inversify and the adapters in packages/core", () => {
    expect(refusedImportsIn("packages/core/src").sort()).toEqual([...FORBIDDEN_IN_CORE].sort());
  });

  it("lets an adapter package import them", () => {
    expect(refusedImportsIn("packages/adapters-aws/src")).toEqual([]);
  });
});
