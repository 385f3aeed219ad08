import { S3ObjectSource, s3ClientOf } from "@anycloud/adapters-aws/storage";
import { OBJECT_SOURCE, type ObjectSource } from "@anycloud/core";
import type { S3Client } from "@aws-sdk/client-s3";
import { ContainerModule } from "inversify";
import type { AwsAppConfig } from "../config.js";
import { AWS_CONFIG, S3_CLIENT } from "../tokens.js";

/** CSV objects read from S3 (path-style addressing when pointed at a local stand-in). */
export const s3Objects = new ContainerModule(({ bind }) => {
  bind<S3Client>(S3_CLIENT).toResolvedValue(
    (config: AwsAppConfig) => s3ClientOf({ endpoint: config.s3Endpoint }),
    [AWS_CONFIG],
  );
  bind<ObjectSource>(OBJECT_SOURCE).toResolvedValue(
    (client: S3Client) => new S3ObjectSource(client),
    [S3_CLIENT],
  );
});
