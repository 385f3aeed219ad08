// .ci/summarize-report.mjs on the reports of real vitest runs (a scratch project in a temporary folder, with the
// reporters of vitest.config.ts): the last line of CI must count every failure vitest knows of, including those
// its JSON report leaves out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const SUMMARIZE = path.join(REPOSITORY, ".ci/summarize-report.mjs");
const VITEST = path.join(REPOSITORY, "node_modules/vitest/vitest.mjs");
const REPORTER = path.join(REPOSITORY, "test/support/run-errors-reporter.ts");

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Runs vitest on `files` (name → source, with vitest's globals) and summarizes its report. */
function runAndSummarize(files: Record<string, string>) {
  const root = mkdtempSync(path.join(tmpdir(), "summarize-"));
  roots.push(root);
  writeFileSync(
    path.join(root, "vitest.config.mjs"),
    `import { RunErrorsReporter } from ${JSON.stringify(REPORTER)};
export default { test: { globals: true, reporters: [["json", { outputFile: "report.json" }], new RunErrorsReporter("report.errors.json")] } };`,
  );
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(root, name), source);
  // Bounded: a nested run that hung would otherwise hold this worker, whose own timeout cannot fire meanwhile.
  const vitest = spawnSync(process.execPath, [VITEST, "run"], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  const summary = spawnSync(process.execPath, [SUMMARIZE, path.join(root, "report.json")], {
    encoding: "utf8",
  });
  return { vitestStatus: vitest.status, status: summary.status, lines: summary.stdout.trim().split("\n") };
}

describe(".ci/summarize-report.mjs", () => {
  it("counts the tests of a clean run, and exits 0", () => {
    const run = runAndSummarize({
      "a.test.mjs": `it("passes", () => expect(1).toBe(1)); it.skip("is skipped", () => {});`,
    });

    expect(run.vitestStatus).toBe(0);
    // The last line is exactly "N passed, N failed", as CI's must be; skips are counted on the line before.
    expect(run.lines.slice(-2)).toEqual(["1 skipped", "1 passed, 0 failed"]);
    expect(run.status).toBe(0);
  });

  it("counts an error outside any test, and the tests a crashed worker never finished, as failures", () => {
    const run = runAndSummarize({
      "a.test.mjs": `it("passes", () => expect(1).toBe(1));
it("fails after it ended", () => { void Promise.resolve().then(() => expect(1).toBe(2)); });`,
      "b.test.mjs": `it("passes", () => expect(1).toBe(1));
it("crashes its worker", () => { process.kill(process.pid, "SIGKILL"); });
it("never runs", () => expect(1).toBe(1));`,
    });

    // vitest fails the run, but its JSON report counts no failed test.
    expect(run.vitestStatus).not.toBe(0);
    expect(run.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tests that never finished in .*b\.test\.mjs$/),
        expect.stringMatching(/^error outside any test: /),
      ]),
    );
    const [, failed] = /^\d+ passed, (\d+) failed/.exec(run.lines.at(-1)!) ?? [];
    // The assertion after its test, the crash, and b's three unfinished tests.
    expect(Number(failed)).toBeGreaterThanOrEqual(5);
    expect(run.status).toBe(1);
  });

  it("counts a report without its record of the run's errors as a failure", () => {
    const root = mkdtempSync(path.join(tmpdir(), "summarize-"));
    roots.push(root);
    const report = path.join(root, "report.json");
    writeFileSync(
      report,
      JSON.stringify({ success: true, numPassedTests: 1, numFailedTests: 0, testResults: [] }),
    );

    const summary = spawnSync(process.execPath, [SUMMARIZE, report], { encoding: "utf8" });

    expect(summary.stdout).toContain("no record of the run's errors");
    expect(summary.stdout.trim().split("\n").at(-1)).toBe("1 passed, 1 failed");
    expect(summary.status).toBe(1);
  });
});
