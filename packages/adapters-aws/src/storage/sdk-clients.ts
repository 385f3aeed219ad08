import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DYNAMODB_HTTP_TIMEOUTS, s3HttpTimeouts } from "./http-timeouts.js";

/**
 * The DynamoDB client for these stores: the region and credentials from the SDK's usual chain, and the time
 * limits of `DYNAMODB_HTTP_TIMEOUTS`. `endpoint` points it at a local stand-in.
 */
export function dynamoDbClientOf({ endpoint }: { endpoint?: string | undefined } = {}): DynamoDBClient {
  return new DynamoDBClient({ requestHandler: DYNAMODB_HTTP_TIMEOUTS, ...(endpoint && { endpoint }) });
}

/**
 * The S3 client for `S3ObjectSource`, with the time limits of `s3HttpTimeouts`. A local `endpoint` (s3rver,
 * LocalStack) wants path-style URLs and no streaming checksums.
 */
export function s3ClientOf({ endpoint }: { endpoint?: string | undefined } = {}): S3Client {
  return new S3Client({
    requestHandler: s3HttpTimeouts(),
    ...(endpoint && {
      endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  });
}
