// What the AWS cold-start benchmarks (aws-cold-start.mjs, aws-cold-start-profile.mjs) share: the hand-written
// handler they compare ours with, bundled, and a DynamoDB stand-in whose table holds the todos the functions read.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "../apps/aws/scripts/bundle.mjs";
import {
  createTables,
  dynamoDbClientFor,
  STAND_IN_REGION,
  startDynamoDb,
  uniqueTableName,
} from "./aws-stand-ins.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const awsApp = path.resolve(here, "../apps/aws");

/**
 * bench/aws-handwritten-handler.mjs bundled into `outDir` as bundle.mjs bundles the functions, with their SDK;
 * `sdkDefaultCredentials` keeps the SDK's default credential chain (ours swap it for Lambda's two sources).
 * Returns esbuild's metafile.
 */
export function bundleHandwritten(outDir, { sdkDefaultCredentials, minify = true }) {
  return bundle("handwritten", path.join(here, "aws-handwritten-handler.mjs"), outDir, {
    sdkDefaultCredentials,
    minify,
    // The file lives in bench/, which has no node_modules: take the SDK the functions are bundled with.
    nodePaths: [path.join(awsApp, "node_modules")],
  });
}

/**
 * A DynamoDB stand-in (the project's launcher picks it) with fresh tables, the todos table holding 30 todos,
 * and `env`, the environment serverless.yml gives the functions, pointed at it. `stop()` drops and stops.
 */
export async function startFunctionsStore(prefix) {
  const dynamo = await startDynamoDb();
  const tables = { todos: uniqueTableName(`${prefix}-todos`), imports: uniqueTableName(`${prefix}-imports`) };
  const client = dynamoDbClientFor(dynamo.endpoint);
  const { drop } = await createTables(client, tables);
  const { PutItemCommand } = createRequire(path.join(awsApp, "package.json"))("@aws-sdk/client-dynamodb");
  const now = new Date().toISOString();
  for (let index = 1; index <= 30; index++) {
    await client.send(
      new PutItemCommand({
        TableName: tables.todos,
        Item: {
          id: { S: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}` },
          task: { S: `Seeded todo ${index}` },
          name: { S: "Bench" },
          dueDate: index % 2 ? { S: "2026-12-01" } : { NULL: true },
          checked: { BOOL: index % 3 === 0 },
          createdAt: { S: now },
          updatedAt: { S: now },
          version: { N: "1" },
        },
      }),
    );
  }
  return {
    kind: dynamo.kind,
    env: {
      TODOS_TABLE: tables.todos,
      IMPORTS_TABLE: tables.imports,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: STAND_IN_REGION,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      LOG_LEVEL: "warn",
    },
    async stop() {
      await drop().catch(() => {});
      client.destroy();
      await dynamo.stop();
    },
  };
}
