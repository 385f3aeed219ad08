// The AWS stand-ins for the benchmarks, started with the project's own launchers (TypeScript, loaded through
// ts-hooks.mjs). Each helper is taken from the first place that exports it: apps/aws/src/local/ (where the
// launchers are moving), then test/support/aws/. They pick the best stand-in this machine has (LocalStack,
// DynamoDB Local, dynalite; LocalStack, s3rver) and say which; DYNAMODB_STANDIN / S3_STANDIN force one.
import { existsSync, readdirSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

register("./ts-hooks.mjs", import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = ["apps/aws/src/local", "test/support/aws"];

const sources = FOLDERS.flatMap((folder) => {
  const dir = path.join(root, folder);
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((file) => file.endsWith(".ts") && !/\.(test|d)\.ts$/.test(file));
  // A folder's index re-exports its files: look there first.
  files.sort((a, b) => (b === "index.ts") - (a === "index.ts"));
  return files.map((file) => path.join(folder, file));
});

async function find(name) {
  const failures = [];
  for (const source of sources) {
    let module;
    try {
      module = await import(pathToFileURL(path.join(root, source)).href);
    } catch (error) {
      // A file that does not load here (mid-move, or it needs what this machine lacks): try the next.
      failures.push(`${source}: ${error.message.split("\n")[0]}`);
      continue;
    }
    if (name in module) return module[name];
  }
  throw new Error(`No launcher exports ${name}. Files that did not load:\n  ${failures.join("\n  ")}`);
}

/** `startDynamoDb()` → `{ endpoint, kind, stop }`: LocalStack, DynamoDB Local or dynalite. */
export const startDynamoDb = await find("startDynamoDb");
/** `createTables(client, { todos, imports })` → `{ drop }`. */
export const createTables = await find("createTables");
/** `uniqueTableName(prefix)`. */
export const uniqueTableName = await find("uniqueTableName");
/** `dynamoDbClientFor(endpoint)`, with the stand-ins' region and dummy credentials. */
export const dynamoDbClientFor = await find("dynamoDbClientFor");
export const STAND_IN_REGION = await find("STAND_IN_REGION");
/** `startS3()` → `{ endpoint, kind, client, onObjectCreated(listener), stop }`: LocalStack or s3rver. */
export const startS3 = () => find("startS3").then((start) => start());
