// The linter's rule that refuses a focused test (biome.json), run on probe files placed for the test. vitest runs
// an `it.only` and skips the rest of its file unless CI is set, which .ci/run does not set: an `.only` left in a
// commit passed `biome check`, and CI ended "1 passed, 0 failed" for a file whose other tests never ran.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = path.join(REPOSITORY, "node_modules/@biomejs/biome/bin/biome");

const FOCUSED = [
  'describe.only("a suite", () => {});',
  'it.only("a test", () => {});',
  'test.only("a test", () => {});',
];

/** The lines of FOCUSED that `biome check` refuses as errors in a probe file named `file`. */
function refusedIn(file: string): string[] {
  const probe = path.join(REPOSITORY, file.replace("PID", String(process.pid)));
  writeFileSync(probe, `import { describe, it, test } from "vitest";\n\n${FOCUSED.join("\n")}\n`);
  try {
    const run = spawnSync(process.execPath, [BIOME, "check", "--reporter=json", probe], {
      cwd: REPOSITORY,
      encoding: "utf8",
    });
    const { diagnostics } = JSON.parse(run.stdout) as {
      diagnostics: { category: string; severity: string; location: { start: { line: number } } }[];
    };
    return diagnostics
      .filter((diagnostic) => diagnostic.category === "lint/suspicious/noFocusedTests")
      .filter((diagnostic) => diagnostic.severity === "error")
      .map((diagnostic) => FOCUSED[diagnostic.location.start.line - 3]!);
  } finally {
    rmSync(probe, { force: true });
  }
}

describe("the rule that refuses a focused test", () => {
  it.each([
    "packages/core/src/focused-probe-PID.test.ts",
    "test/ci/focused-probe-PID.test.ts",
    // The shared behaviour suites hold tests too, in files of their own name.
    "test/behaviour/focused-probe-PID.behaviour.ts",
  ])("refuses describe.only, it.only and test.only in %s", (file) => {
    expect(refusedIn(file)).toEqual(FOCUSED);
  });
});
