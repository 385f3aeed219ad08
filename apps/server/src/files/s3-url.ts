import type { ObjectRef } from "@anycloud/core";

/**
 * Reads `s3://bucket/key` as the AWS CLI does: the key is taken as written (not percent-decoded), slashes
 * and spaces included. Returns undefined for anything that is not an s3:// URL with a bucket and a key.
 */
export function parseS3Url(text: string): ObjectRef | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(text);
  return match ? { container: match[1]!, key: match[2]! } : undefined;
}
