// The linter's rule that keeps cloud SDKs and DI containers out of packages/core (biome.json), run on a probe
// file placed in core for the test: it must refuse each such import there, and nothing of the same elsewhere.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { biomeDiagnosticsFor } from "../support/biome-probe.js";

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
  const probe = path.join(directory, `restricted-imports-probe-${process.pid}.ts`);
  const text = `${FORBIDDEN_IN_CORE.map((name) => `import "${name}";`).join("\n")}\n\nexport {};\n`;
  return biomeDiagnosticsFor(probe, text, "lint")
    .filter((diagnostic) => diagnostic.category === "lint/style/noRestrictedImports")
    .map((diagnostic) => FORBIDDEN_IN_CORE[diagnostic.location.start.line - 1]!);
}

describe("the rule that keeps clouds and DI containers out of core", () => {
  it("refuses each cloud SDK, Lambda's types, inversify and the adapters in packages/core", () => {
    expect(refusedImportsIn("packages/core/src").sort()).toEqual([...FORBIDDEN_IN_CORE].sort());
  });

  it("lets an adapter package import them", () => {
    expect(refusedImportsIn("packages/adapters-aws/src")).toEqual([]);
  });
});
