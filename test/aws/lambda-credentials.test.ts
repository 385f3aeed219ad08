import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { defaultProvider } from "@anycloud/aws/bundling/lambda-credentials";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";

// The credential provider the Lambda bundles take instead of the SDK's default chain (apps/aws/scripts/bundle.mjs
// swaps the module; the local loop's tests run those bundles with credentials in the environment). Here a real
// DynamoDB client signs a request with it, against a local endpoint that records the signature's key id.

const CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];
const saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
const servers: Server[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function setEnvironment(values: Record<string, string>): void {
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

/** A server on 127.0.0.1 answering every request with `answer`; it records each request's headers. */
async function serve(answer: {
  type: string;
  body: string;
}): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    response.writeHead(200, { "content-type": answer.type }).end(answer.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen };
}

/** The access key id a request to a fake DynamoDB was signed with, through `defaultProvider`. */
async function keyIdSignedWith(): Promise<string | undefined> {
  return (await keyIdsSignedWith(() => undefined))[0];
}

/**
 * The access key ids of three requests one client makes to a fake DynamoDB, through `defaultProvider`;
 * `beforeLast` runs before the third.
 */
async function keyIdsSignedWith(beforeLast: () => void): Promise<(string | undefined)[]> {
  const dynamoDb = await serve({ type: "application/x-amz-json-1.0", body: '{"TableNames":[]}' });
  const client = new DynamoDBClient({
    endpoint: dynamoDb.url,
    region: "eu-west-1",
    credentialDefaultProvider: defaultProvider,
  });
  try {
    await client.send(new ListTablesCommand({}));
    await client.send(new ListTablesCommand({}));
    beforeLast();
    await client.send(new ListTablesCommand({}));
  } finally {
    client.destroy();
  }
  return dynamoDb.seen.map((headers) => /Credential=([^/]+)\//.exec(String(headers.authorization))?.[1]);
}

describe("the Lambda bundles' credential provider", () => {
  it("signs with the credentials Lambda puts in the environment", async () => {
    setEnvironment({
      AWS_ACCESS_KEY_ID: "AKIDFROMENVIRONMENT",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
    });

    expect(await keyIdSignedWith()).toBe("AKIDFROMENVIRONMENT");
  });

  it("fetches them from the container endpoint when the environment has none, as Lambda does under SnapStart", async () => {
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const endpoint = await serve({
      type: "application/json",
      body: JSON.stringify({
        AccessKeyId: "AKIDFROMCONTAINER",
        SecretAccessKey: "secret",
        Token: "token",
        Expiration: expiration,
      }),
    });
    setEnvironment({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endpoint.url}/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-token",
    });

    expect(await keyIdSignedWith()).toBe("AKIDFROMCONTAINER");
    expect(endpoint.seen[0]?.authorization).toBe("container-token");
  });

  it("keeps the container's credentials until 5 minutes before they expire, then fetches new ones", async () => {
    // Only Date is faked: the clock moves on when told, the sockets and the SDK's timers run as usual.
    vi.useFakeTimers({ toFake: ["Date"] });
    let fetches = 0;
    const server = createServer((request, response) => {
      request.resume();
      fetches += 1;
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          AccessKeyId: `AKIDFETCH${fetches}`,
          SecretAccessKey: "secret",
          Token: "token",
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    setEnvironment({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials` });

    // 56 minutes on, the first credentials have 4 minutes left.
    const keyIds = await keyIdsSignedWith(() => vi.setSystemTime(Date.now() + 56 * 60_000));

    expect(keyIds).toEqual(["AKIDFETCH1", "AKIDFETCH1", "AKIDFETCH2"]);
    expect(fetches).toBe(2);
  });

  it("fails with the SDK's credentials error when there are neither", async () => {
    setEnvironment({});

    await expect(keyIdSignedWith()).rejects.toMatchObject({ name: "CredentialsProviderError" });
  });
});
