/**
 * fast-check's parameters for one property: a fixed seed and a number of runs that keep the suite
 * deterministic and quick in CI. `FC_SEED` and `FC_NUM_RUNS` override both, for a longer campaign on demand
 * (every property of the files run then makes that many runs; `--testTimeout=0` lifts the project's 60 s):
 * `FC_SEED=7 FC_NUM_RUNS=20000 npx vitest run --project properties create-todo-api --testTimeout=0`.
 * A failure prints its seed and the path to its counterexample.
 */
export function propertyRuns(numRuns: number, seed = 2026): { seed: number; numRuns: number } {
  return { seed: integerFromEnv("FC_SEED") ?? seed, numRuns: integerFromEnv("FC_NUM_RUNS") ?? numRuns };
}

function integerFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  if (!/^-?\d+$/.test(text)) throw new Error(`${name} must be an integer, not ${JSON.stringify(text)}.`);
  return Number(text);
}
