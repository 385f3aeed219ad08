import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { s3ClientOf } from "./sdk-clients.js";

/**
 * S3 as it answers for a bucket in ap-southeast-2: a request signed for another region gets 301
 * `PermanentRedirect` and the bucket's region in `x-amz-bucket-region`; one signed for that region, the object.
 */
function bucketInSydney(): Server {
  return createServer((request, response) => {
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(request.headers.authorization ?? "")?.[1];
    if (region !== "ap-southeast-2") {
      response.writeHead(301, { "x-amz-bucket-region": "ap-southeast-2", "content-type": "application/xml" });
      response.end(
        "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>",
      );
      return;
    }
    response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', "content-type": "text/csv" });
    response.end("task\nfrom Sydney\n");
  });
}

describe("s3ClientOf", () => {
  let server: Server;

  beforeEach(async () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    server = bucketInSydney().listen(0, "127.0.0.1");
    await once(server, "listening");
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });

  it("reads an object in a bucket of another region than its own, as the AWS CLI does", async () => {
    const { port } = server.address() as AddressInfo;
    const client = s3ClientOf({ endpoint: `http://127.0.0.1:${port}` });

    const output = await client.send(new GetObjectCommand({ Bucket: "sydney-todos", Key: "todos.csv" }));

    expect(await output.Body?.transformToString()).toBe("task\nfrom Sydney\n");
  });
});
