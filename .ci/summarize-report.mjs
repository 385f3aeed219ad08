// Prints "N passed, N failed[, N skipped]" from vitest's JSON report, so a run that executed no test shows.
// A test file that failed outside its tests (it did not load, or a beforeAll hook threw) counts as one failure:
// vitest reports its tests as skipped, or has none, and the line would otherwise read "0 failed".
import { readFileSync } from "node:fs";

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch {
  console.log(`no test report at ${file}: the tests did not run`);
  console.log("0 passed, 0 failed");
  process.exit(1);
}
const {
  numPassedTests: passed,
  numFailedTests: failedTests,
  numPendingTests: pending = 0,
  numTodoTests: todo = 0,
  testResults = [],
} = report;
const brokenFiles = testResults.filter(
  (result) =>
    result.status === "failed" && !(result.assertionResults ?? []).some((test) => test.status === "failed"),
);
for (const result of brokenFiles) {
  const reason = String(result.message ?? "").split("\n")[0];
  console.log(`failed outside its tests: ${result.name}${reason ? `: ${reason}` : ""}`);
}
const failed = failedTests + brokenFiles.length;
const skipped = pending + todo;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 && report.success !== false ? 0 : 1);
