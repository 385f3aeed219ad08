import { javaWorks, startDynalite, startDynamoDbLocal } from "@anycloud/aws/local";
import { elapsedSince, forcedStandIn } from "./aws-clients.js";
import { acquireLocalstack, hasContainerRuntime } from "./localstack.js";

export type DynamoDbStandInKind = "external" | "localstack" | "dynamodb-local" | "dynalite";

export interface DynamoDbStandIn {
  endpoint: string;
  kind: DynamoDbStandInKind;
  /** The stand-in's process, when it runs in one of its own here (DynamoDB Local): benchmarks read its CPU time. */
  pid?: number;
  stop(): Promise<void>;
}

const FORCEABLE: readonly DynamoDbStandInKind[] = ["localstack", "dynamodb-local", "dynalite"];

/**
 * Starts the best DynamoDB stand-in this machine has, and says which on the console:
 * `DYNAMODB_ENDPOINT` when set (used as is); else LocalStack when a container runtime answers; else the
 * official DynamoDB Local jar when Java runs; else dynalite in-process. `DYNAMODB_STANDIN=localstack|
 * dynamodb-local|dynalite` forces one (and fails when it cannot run), and so does `kind`, for a test of that
 * stand-in. `longRunning` (benchmarks) trades a slower start for throughput where the stand-in allows it.
 */
export async function startDynamoDb(
  options: { longRunning?: boolean; kind?: DynamoDbStandInKind } = {},
): Promise<DynamoDbStandIn> {
  const started = performance.now();
  const kind = options.kind ?? (await chooseKind());
  const { endpoint, pid, stop } = await startKind(kind, options.longRunning ?? false);
  console.info(`DynamoDB stand-in: ${kind} at ${endpoint}, ready in ${elapsedSince(started)} ms`);
  return { endpoint, kind, ...(pid !== undefined && { pid }), stop };
}

async function chooseKind(): Promise<DynamoDbStandInKind> {
  const forced = forcedStandIn("DYNAMODB_STANDIN", FORCEABLE);
  if (forced) return forced;
  if (process.env.DYNAMODB_ENDPOINT) return "external";
  if (await hasContainerRuntime()) return "localstack";
  return javaWorks() ? "dynamodb-local" : "dynalite";
}

async function startKind(
  kind: DynamoDbStandInKind,
  longRunning: boolean,
): Promise<{ endpoint: string; pid?: number; stop(): Promise<void> }> {
  switch (kind) {
    case "external":
      return { endpoint: process.env.DYNAMODB_ENDPOINT!, stop: async () => {} };
    case "localstack": {
      const { endpoint, release } = await acquireLocalstack();
      return { endpoint, stop: release };
    }
    case "dynamodb-local":
      return startDynamoDbLocal({ longRunning });
    case "dynalite":
      return startDynalite();
  }
}
