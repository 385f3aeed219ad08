import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, Vitest } from "vitest/node";

/**
 * Writes what vitest's JSON report leaves out: the errors of a run outside its tests (an assertion in a promise
 * nobody awaited, a test file whose worker crashed). With such errors vitest fails the run, yet its JSON report
 * says `success: true`; .ci/summarize-report.mjs counts them as failures from this file. `outputFile` is taken
 * from the project's root, as the JSON reporter takes its own.
 */
export class RunErrorsReporter implements Reporter {
  private root = process.cwd();

  constructor(private readonly outputFile: string) {}

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(_testModules: unknown, unhandledErrors: ReadonlyArray<{ message?: string }>): void {
    const file = path.resolve(this.root, this.outputFile);
    mkdirSync(path.dirname(file), { recursive: true });
    const messages = unhandledErrors.map((error) => String(error.message ?? "").split("\n")[0]);
    writeFileSync(file, JSON.stringify({ unhandledErrors: messages }));
  }
}
