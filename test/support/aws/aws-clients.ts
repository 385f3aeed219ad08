import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";

/** Stand-ins accept any region. */
export const STAND_IN_REGION = "us-east-1";

/**
 * Stand-ins accept any credentials: dummy ones keep the SDK from looking for real ones. When
 * `AWS_ACCESS_KEY_ID` is set (an external endpoint that checks them), the SDK's own chain is used instead.
 */
export const STAND_IN_CREDENTIALS = process.env.AWS_ACCESS_KEY_ID
  ? undefined
  : { accessKeyId: "test", secretAccessKey: "test" };

/** A DynamoDB client for a stand-in's endpoint; `config` adds or overrides settings (a requestHandler...). */
export function dynamoDbClientFor(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: STAND_IN_REGION,
    credentials: STAND_IN_CREDENTIALS,
    ...config,
  });
}

/** Milliseconds since `start` (a `performance.now()` reading), rounded, for the stand-ins' log lines. */
export function elapsedSince(start: number): number {
  return Math.round(performance.now() - start);
}

/**
 * The stand-in `variable` (`DYNAMODB_STANDIN`, `S3_STANDIN`) asks for, when set: one of `kinds`, or an error that
 * names them.
 */
export function forcedStandIn<Kind extends string>(
  variable: string,
  kinds: readonly Kind[],
): Kind | undefined {
  const forced = process.env[variable];
  if (!forced) return undefined;
  const kind = kinds.find((candidate) => candidate === forced);
  if (!kind) throw new Error(`${variable} is one of ${kinds.join(", ")}; got ${forced}.`);
  return kind;
}
