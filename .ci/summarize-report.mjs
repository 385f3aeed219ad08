// Prints "N passed, N failed[, N skipped]" from vitest's JSON report, so a run that executed no test shows.
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
  numFailedTests: failed,
  numPendingTests: pending = 0,
  numTodoTests: todo = 0,
} = report;
const skipped = pending + todo;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
