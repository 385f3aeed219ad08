import { configDefaults, defineConfig } from "vitest/config";
import { RunErrorsReporter } from "./test/support/run-errors-reporter.js";

// CI sums its runs' reports: a second run (apps/aws/scripts/lambda-node.mjs) names its own file. Beside each, the
// run's errors outside its tests, which the JSON report leaves out (`<report>.errors.json`).
const JSON_REPORT = process.env.VITEST_JSON_REPORT ?? ".reports/vitest.json";

const PROPERTY_TESTS = [...configDefaults.exclude, "**/*.property.test.ts"];

// One root config with a project per workspace package. Tests import workspace packages from their
// TypeScript sources (the "@anycloud/source" export condition), so no build is needed to run them.
export default defineConfig({
  resolve: { conditions: ["@anycloud/source"] },
  ssr: { resolve: { conditions: ["@anycloud/source"] } },
  test: {
    reporters: [
      "default",
      ["json", { outputFile: JSON_REPORT }],
      new RunErrorsReporter(JSON_REPORT.replace(/\.json$/, ".errors.json")),
    ],
    projects: [
      {
        extends: true,
        test: { name: "core", root: "packages/core", include: ["src/**/*.test.ts"], exclude: PROPERTY_TESTS },
      },
      {
        extends: true,
        test: {
          name: "adapters-aws",
          root: "packages/adapters-aws",
          include: ["src/**/*.test.ts"],
          exclude: PROPERTY_TESTS,
        },
      },
      // The packages' property tests (fast-check), apart: each runs a few hundred cases in a second or two, and a
      // campaign (FC_NUM_RUNS, see test/support/property-runs.ts) for minutes, where a unit test's 5 s is not
      // enough time on a busy machine.
      {
        extends: true,
        test: { name: "properties", include: ["packages/*/src/**/*.property.test.ts"], testTimeout: 60_000 },
      },
      { extends: true, test: { name: "server", root: "apps/server", include: ["src/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "suites",
          root: "test",
          include: ["**/*.test.ts"],
          testTimeout: 60_000,
          // Some suites start the built server and CLI as processes: build first (incremental).
          globalSetup: ["./support/build-once.ts"],
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
