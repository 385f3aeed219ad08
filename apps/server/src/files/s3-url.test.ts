import { describe, expect, it } from "vitest";
import { parseS3Url } from "./s3-url.js";

describe("parseS3Url", () => {
  it("splits the bucket from the key, keeping the key as written", () => {
    expect(parseS3Url("s3://my-bucket/uploads/my todos+1.csv")).toEqual({
      container: "my-bucket",
      key: "uploads/my todos+1.csv",
    });
  });

  it.each([
    "todos.csv",
    "s3://",
    "s3://bucket",
    "s3://bucket/",
    "s3://Bad_Bucket/key",
    "https://bucket/key",
    "xs3://bucket/key",
    "see s3://bucket/key",
    "s3://bucket/key\nrm -rf",
  ])("does not read %j as an S3 object", (text) => {
    expect(parseS3Url(text)).toBeUndefined();
  });
});
