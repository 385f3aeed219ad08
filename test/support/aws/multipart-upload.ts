import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";

/**
 * Writes `parts` as one object through a multipart upload, as the CLI and SDKs send a large file (S3 wants every
 * part but the last to be 5 MiB or more). `object` names it, with any other setting of the upload.
 */
export async function uploadInParts(
  client: S3Client,
  object: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
  parts: readonly Uint8Array[],
): Promise<void> {
  const { Bucket, Key } = object;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(object));
  const uploaded = [];
  for (const [index, body] of parts.entries()) {
    const PartNumber = index + 1;
    const { ETag } = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: body }),
    );
    uploaded.push({ ETag, PartNumber });
  }
  await client.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: uploaded } }),
  );
}
