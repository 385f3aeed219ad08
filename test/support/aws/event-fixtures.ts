import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The real-shaped events under test/fixtures/events/<source>/<variant>.json, for the suites here and the
// adapters' own tests alike.

const EVENTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/events");

/** The fixture `<source>/<variant>.json`, parsed anew on each call: a test may change its copy. */
export function readEventFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EVENTS, name), "utf8"));
}

/** The file names of a source's fixtures (`put.json`...), sorted. */
export function eventFixtureFiles(source: string): string[] {
  return readdirSync(path.join(EVENTS, source)).sort();
}

/** Every HTTP event fixture (API Gateway REST and HTTP APIs, Function URLs), as `<source>/<variant>.json`, sorted. */
export const HTTP_EVENT_FIXTURES: readonly string[] = ["apigw-rest", "apigw-http", "function-url"]
  .flatMap((source) => eventFixtureFiles(source).map((file) => `${source}/${file}`))
  .sort();
