/**
 * Time limits for the SDK clients behind these stores, given as their `requestHandler`. The SDK's defaults
 * wait for ever: a connection that never answers held a listing, or a whole import, until its Lambda timed
 * out, with its lease lapsing meanwhile.
 *
 * @example
 * const client = new DynamoDBClient({ requestHandler: DYNAMODB_HTTP_TIMEOUTS });
 */
export const DYNAMODB_HTTP_TIMEOUTS = {
  connectionTimeout: 3_000,
  // DynamoDB answers in milliseconds, a BatchWriteItem of 25 items in well under a second: 5 s means the
  // answer is not coming. The SDK then retries (its `maxAttempts`), and a write that landed meanwhile is
  // recognised by the stores as their own.
  requestTimeout: 5_000,
  // Without it, `requestTimeout` only logs a warning.
  throwOnRequestTimeout: true,
} as const;

/**
 * Time limits for an S3 client reading objects: `idleMs` is how long an object's body may send nothing. An
 * import reads the body only as fast as its store writes, so the body waits while a batch is written (with
 * its retries): 60 s of silence is far longer than that, and means the connection is dead.
 *
 * @example
 * const client = new S3Client({ requestHandler: s3HttpTimeouts() });
 */
export function s3HttpTimeouts({ idleMs = 60_000 }: { idleMs?: number } = {}) {
  return { connectionTimeout: 3_000, socketTimeout: idleMs } as const;
}
