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
 *
 * It follows S3's region redirects: `todo import s3://bucket/key` names a bucket, not its region, and one in
 * another region than the SDK's chain gives answers 301 `PermanentRedirect` (400 in regions opened since
 * 2019), with the bucket's region in `x-amz-bucket-region`. The SDK then asks again there; without it, the
 * import failed as "unavailable", where the AWS CLI reads the same object.
 */
export function s3ClientOf({ endpoint }: { endpoint?: string | undefined } = {}): S3Client {
  return new S3Client({
    requestHandler: s3HttpTimeouts(),
    followRegionRedirects: true,
    ...(endpoint && {
      endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  });
}
