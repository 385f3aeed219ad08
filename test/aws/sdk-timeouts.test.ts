import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import {
  DYNAMODB_HTTP_TIMEOUTS,
  DynamoDbTodoRepository,
  S3ObjectSource,
  s3HttpTimeouts,
} from "@anycloud/adapters-aws/storage";
import { StoreUnavailableError } from "@anycloud/core";
import { S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { dynamoDbClientFor, STAND_IN_CREDENTIALS, STAND_IN_REGION } from "../support/aws/aws-clients.js";

// Endpoints that stop answering: the clients built with the adapters' time limits give up instead of
// waiting for ever. Without the limits these tests hang until vitest's own timeout fails them.
describe("the AWS clients' time limits", () => {
  const sockets = new Set<Socket>();
  const closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    for (const close of closers.splice(0)) await close();
  });

  async function listen(server: Server | HttpServer): Promise<string> {
    server.on("connection", (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  it("fail a DynamoDB call whose answer never comes", async () => {
    // Accepts the connection and reads the request, and never answers.
    const endpoint = await listen(createServer((socket) => socket.resume()));
    const client = dynamoDbClientFor(endpoint, { requestHandler: DYNAMODB_HTTP_TIMEOUTS, maxAttempts: 1 });
    closers.push(async () => client.destroy());

    const listing = new DynamoDbTodoRepository(client, { tableName: "todos" }).list({ limit: 5 });

    await expect(listing).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(listing).rejects.toMatchObject({ cause: { name: "TimeoutError" } });
  });

  it("fail an S3 object whose body stops arriving", async () => {
    // Answers GetObject with the headers and the first bytes of a 100,000-byte body, then sends nothing.
    const endpoint = await listen(
      createHttpServer((_, response) => {
        response.writeHead(200, {
          "content-type": "text/csv",
          "content-length": 100_000,
          etag: '"0123456789abcdef0123456789abcdef"',
        });
        response.write("task,name,dueDate\nFeed");
      }),
    );
    const client = new S3Client({
      endpoint,
      forcePathStyle: true,
      region: STAND_IN_REGION,
      credentials: STAND_IN_CREDENTIALS,
      requestHandler: s3HttpTimeouts({ idleMs: 500 }),
    });
    closers.push(async () => client.destroy());

    const opened = await new S3ObjectSource(client).open({ container: "uploads", key: "todos.csv" });
    const reading = (async () => {
      for await (const _ of opened.body);
    })();

    await expect(reading).rejects.toMatchObject({ name: "TimeoutError" });
  });
});
