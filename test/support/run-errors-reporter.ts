import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestRunEndReason } from "vitest/node";

/**
 * Writes what vitest's JSON report leaves out: the errors of a run outside its tests (an assertion in a promise
 * nobody awaited, a test file whose worker crashed) and how the run ended. With such errors vitest fails the run,
 * yet its JSON report says `success: true`; .ci/summarize-report.mjs counts them as failures from this file.
 */
export class RunErrorsReporter implements Reporter {
  constructor(private readonly outputFile: string) {}

  onTestRunEnd(
    _testModules: unknown,
    unhandledErrors: ReadonlyArray<{ message?: string }>,
    reason: TestRunEndReason,
  ): void {
    mkdirSync(path.dirname(this.outputFile), { recursive: true });
    const messages = unhandledErrors.map((error) => String(error.message ?? "").split("\n")[0]);
    writeFileSync(this.outputFile, JSON.stringify({ reason, unhandledErrors: messages }));
  }
}
