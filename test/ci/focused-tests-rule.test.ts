// The linter's rule that refuses a focused test (biome.json), run on probe files placed for the test. vitest runs
// an `it.only` and skips the rest of its file unless CI is set, which .ci/run does not set: an `.only` left in a
// commit passed `biome check`, and CI ended "1 passed, 0 failed" for a file whose other tests never ran.
import { describe, expect, it } from "vitest";
import { biomeDiagnosticsFor } from "../support/biome-probe.js";

const FOCUSED = [
  'describe.only("a suite", () => {});',
  'it.only("a test", () => {});',
  'test.only("a test", () => {});',
];

/** The lines of FOCUSED that `biome check` refuses as errors in a probe file named `file`. */
function refusedIn(file: string): string[] {
  const text = `import { describe, it, test } from "vitest";\n\n${FOCUSED.join("\n")}\n`;
  return biomeDiagnosticsFor(file.replace("PID", String(process.pid)), text, "check")
    .filter((diagnostic) => diagnostic.category === "lint/suspicious/noFocusedTests")
    .filter((diagnostic) => diagnostic.severity === "error")
    .map((diagnostic) => FOCUSED[diagnostic.location.start.line - 3]!);
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
