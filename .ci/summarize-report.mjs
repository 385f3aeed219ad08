// Prints "N passed, N failed" from vitest's JSON reports (summed when given several, after a line per report),
// so a run that executed no test shows; skipped tests are counted on the line before, as CI's last line must be
// exactly that. A test file that failed outside its tests (it did not load, or a beforeAll hook threw) counts as
// one failure: vitest reports its tests as skipped, or has none, and the line would otherwise read "0 failed". So does each error of the run outside any test, which the JSON
// report leaves out (test/support/run-errors-reporter.ts writes them beside it, as <report>.errors.json), and
// each test that never finished (its worker crashed). A missing report counts as a failure.
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
const total = { passed: 0, failed: 0, skipped: 0 };
let ok = files.length > 0;
for (const file of files) {
  const counts = countsOf(file);
  if (counts === undefined) {
    console.log(`no test report at ${file}: those tests did not run`);
    total.failed += 1;
    ok = false;
    continue;
  }
  if (files.length > 1) console.log(`${file}: ${line(counts)}`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  // Summed, a run that ran nothing (or failed with no failing test) would hide behind the others' passes on the
  // last line: it counts as one failure, as a missing report does.
  if (files.length > 1 && !counts.ok && counts.failed === 0) {
    console.log(`${file}: no test passed, or the run failed without a failing test`);
    total.failed += 1;
  }
  total.skipped += counts.skipped;
  ok &&= counts.ok;
}
if (total.skipped > 0) console.log(`${total.skipped} skipped`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(ok && total.failed === 0 ? 0 : 1);

function countsOf(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
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
  // Tests a crashed worker never finished: neither passed, failed nor skipped, and missing from every count.
  const unfinished = testResults.flatMap((result) =>
    (result.assertionResults ?? []).filter((test) => test.status === "pending").map(() => result.name),
  );
  for (const name of new Set(unfinished)) console.log(`tests that never finished in ${name}`);
  const runErrors = runErrorsOf(file);
  for (const message of runErrors) console.log(`error outside any test: ${message}`);
  const failed = failedTests + brokenFiles.length + unfinished.length + runErrors.length;
  return {
    passed,
    failed,
    skipped: pending + todo,
    ok: failed === 0 && passed > 0 && report.success !== false,
  };
}

/** The run's errors outside its tests; without the file that lists them, one error saying so. */
function runErrorsOf(file) {
  const errorsFile = file.replace(/\.json$/, ".errors.json");
  try {
    const { unhandledErrors } = JSON.parse(readFileSync(errorsFile, "utf8"));
    if (Array.isArray(unhandledErrors)) return unhandledErrors;
  } catch {
    // Missing or not JSON: said below.
  }
  return [`no record of the run's errors at ${errorsFile}`];
}

function line({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
