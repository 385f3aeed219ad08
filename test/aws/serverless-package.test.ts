import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DYNAMODB_HTTP_TIMEOUTS, dynamoDbClientOf } from "@anycloud/adapters-aws/storage";
import { DEFAULT_ROUTE, FUNCTIONS, type FunctionName, HTTP_ROUTES } from "@anycloud/aws/local";
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from "@anycloud/core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRANTS, type GrantedResource } from "../support/aws/iam-grants.js";
import { httpApiEventFrom } from "../support/aws/lambda-http-events.js";

// `pnpm --filter @anycloud/aws package`, offline: the bundles, then `osls package` with dummy credentials.
// What it writes is what `deploy` would send to CloudFormation; these tests read it as AWS would.

const run = promisify(execFile);
const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/aws");
const PACKAGED = path.join(APP, ".serverless");
const SERVICE = "anycloud-workshop-dev";
const BUCKET = "anycloud-workshop-dev-uploads";

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string | string[];
}

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
}

interface PolicyDocument {
  Statement: Statement[];
}

interface Template {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
}

let template: Template;
let resources: Record<string, CfnResource>;
let outputs: Record<string, unknown>;

/** `osls package` into `folder` (its `.serverless` by default), with `args`; the template it wrote. */
async function packageTemplate(folder: string, args: string[] = []): Promise<Template> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "offline",
    AWS_SECRET_ACCESS_KEY: "offline",
  };
  for (const name of ["AWS_SESSION_TOKEN", "AWS_PROFILE"]) delete env[name];
  // The environment wins over apps/aws/.env*, which a developer may have written for real deploys.
  env.UPLOADS_BUCKET = BUCKET;
  await run(path.join(APP, "node_modules/.bin/osls"), ["package", "--package", folder, ...args], {
    cwd: APP,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(
    await readFile(path.join(folder, "cloudformation-template-update-stack.json"), "utf8"),
  ) as Template;
}

beforeAll(async () => {
  // Remove an earlier run's output, so that a packaging that fails cannot pass on stale files.
  await rm(PACKAGED, { recursive: true, force: true });
  await run(process.execPath, ["scripts/bundle.mjs"], { cwd: APP });
  template = await packageTemplate(PACKAGED);
  resources = template.Resources;
  outputs = template.Outputs;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const resource = (logicalId: string) => {
  const found = resources[logicalId];
  if (found === undefined) throw new Error(`The template has no ${logicalId}.`);
  return found;
};
const arnOf = (logicalId: string) => ({ "Fn::GetAtt": [logicalId, "Arn"] });
const logGroupArn = (name: FunctionName) => ({
  "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${SERVICE}-${name}:*`,
});
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The function's logical id in the template: `csvImport` → `CsvImportLambdaFunction`. */
const functionId = (name: FunctionName) => `${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`;

/** Function name → the template's function resource, found by its FunctionName. */
function functionsByName(): Map<FunctionName, CfnResource & { logicalId: string }> {
  const found = new Map<FunctionName, CfnResource & { logicalId: string }>();
  for (const [logicalId, fn] of ofType("AWS::Lambda::Function")) {
    const name = String(fn.Properties.FunctionName).slice(SERVICE.length + 1) as FunctionName;
    found.set(name, { ...fn, logicalId });
  }
  return found;
}

const NAMES = Object.keys(FUNCTIONS) as FunctionName[];

describe("the packaged functions", () => {
  it("are the seven of serverless.yml, on nodejs22.x, each with its handler", () => {
    const functions = functionsByName();

    expect([...functions.keys()].sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(functions.get(name)?.logicalId).toBe(functionId(name));
      expect(functions.get(name)?.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Handler: FUNCTIONS[name].handler,
        Timeout: FUNCTIONS[name].timeout,
        MemorySize: FUNCTIONS[name].memorySize,
      });
    }
    expect(resource("AddTodoLambdaFunction").Properties.Handler).toBe("dist/workshopTodos/index.handler");
    expect(resource("CsvImportLambdaFunction").Properties.Handler).toBe("dist/csvImport/index.handler");
  });

  it("that use the tables are told them by reference, and the others are told nothing", () => {
    for (const [name, fn] of functionsByName()) {
      if (name === "hello" || name === "helloHttp") {
        expect(fn.Properties.Environment ?? {}, name).not.toHaveProperty("Variables.TODOS_TABLE");
        continue;
      }
      expect(fn.Properties.Environment, name).toMatchObject({
        Variables: { TODOS_TABLE: { Ref: "TodosTable" }, IMPORTS_TABLE: { Ref: "ImportsTable" } },
      });
    }
  });

  it("give the cursor secret only to the functions that list", () => {
    const told = [...functionsByName()]
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes("CURSOR_SECRET"))
      .map(([name]) => name);

    expect(told.sort()).toEqual(["api", "listTodo"]);
  });

  it("each ship a zip that holds their own bundle and nothing else", async () => {
    for (const [name, fn] of functionsByName()) {
      const zip = path.join(PACKAGED, path.basename(String((fn.Properties.Code as { S3Key: string }).S3Key)));

      const { stdout } = await run("unzip", ["-Z1", zip]);

      const bundle = FUNCTIONS[name].handler.replace(/\.handler$/, ".mjs");
      expect(stdout.trim().split("\n"), name).toEqual([bundle]);
    }
  });

  it("take credentials only from where Lambda gives them, without the SDK's default chain", async () => {
    // esbuild's record of each bundle (scripts/bundle.mjs writes it): the files with bytes in its output.
    const metas = JSON.parse(await readFile(path.join(APP, "dist/meta.json"), "utf8")) as Record<
      string,
      { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> }
    >;
    const chain = /credential-provider-(node|sso|ini|process|login|web-identity)\/|nested-clients\//;

    for (const [name, meta] of Object.entries(metas)) {
      const inputs = Object.values(meta.outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
          .map(([input]) => input),
      );
      expect(
        inputs.filter((input) => chain.test(input)),
        name,
      ).toEqual([]);
      if (name === "workshopTodos")
        expect(inputs.some((input) => input.endsWith("src/bundling/lambda-credentials.ts"))).toBe(true);
    }
  });

  it("each load from their zip and export a handler, and hello answers from its own", async () => {
    const unpacked = await mkdtemp(path.join(tmpdir(), "anycloud-zips-"));
    try {
      const loads = [...functionsByName()].map(async ([name, fn]) => {
        const folder = path.join(unpacked, name);
        const zip = path.join(
          PACKAGED,
          path.basename(String((fn.Properties.Code as { S3Key: string }).S3Key)),
        );
        await run("unzip", ["-q", zip, "-d", folder]);
        const bundle = path.join(folder, FUNCTIONS[name].handler.replace(/\.handler$/, ".mjs"));
        // Loading composes the function (its cold start): no call leaves the machine.
        const script = `const { handler } = await import(${JSON.stringify(bundle)});
          if (typeof handler !== "function") throw new Error("no handler");
          if (${JSON.stringify(name)} === "hello") console.log(JSON.stringify(await handler({ ping: 1 })));`;
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
          env: { ...process.env, TODOS_TABLE: "todos", IMPORTS_TABLE: "imports", AWS_REGION: "eu-west-1" },
        });
        return [name, stdout.trim()] as const;
      });

      const outputs = Object.fromEntries(await Promise.all(loads));

      expect(Object.keys(outputs).sort()).toEqual([...NAMES].sort());
      expect(JSON.parse(outputs.hello!)).toEqual({
        statusCode: 200,
        body: JSON.stringify({ message: "Hello World !", input: { ping: 1 } }),
      });
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  });

  it("name the errors they log by their classes, as the code does, not by what minifying made of them", async () => {
    // A DynamoDB that drops every connection: the api function answers 503 and logs the error, as CloudWatch
    // would show it. Its type is what an operator looks for there.
    const dropping = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    const { port } = dropping.address() as { port: number };
    try {
      const event = await httpApiEventFrom(new Request("https://api.example.com/todos"), {
        routeKey: "GET /todos",
      });
      const bundle = path.join(APP, FUNCTIONS.api.handler.replace(/\.handler$/, ".mjs"));
      const script = `const { handler } = await import(${JSON.stringify(bundle)});
        const result = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 29000 });
        console.log(JSON.stringify({ status: result.statusCode }));`;

      const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", script], {
        env: {
          ...process.env,
          TODOS_TABLE: "todos",
          IMPORTS_TABLE: "imports",
          AWS_REGION: "eu-west-1",
          AWS_ACCESS_KEY_ID: "offline",
          AWS_SECRET_ACCESS_KEY: "offline",
          DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
        },
      });

      // Node's own warnings (the SDK's on Node 20) share stderr, in plain text.
      const linesOf = (text: string) =>
        text
          .trim()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { status?: number; msg?: string; error?: { name?: string } });
      expect(linesOf(stdout).at(-1)).toEqual({ status: 503 });
      // Written with console.error, as Lambda takes its level from the method: on stderr outside Lambda.
      const failed = linesOf(stderr).find((line) => line.msg === "request failed");
      expect(failed?.error?.name).toBe("StoreUnavailableError");
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it("keep their logs 14 days, each in its own group", () => {
    for (const [name, fn] of functionsByName()) {
      const logGroupId = `${functionId(name).replace(/LambdaFunction$/, "")}LogGroup`;

      expect(resource(logGroupId).Properties).toEqual({
        LogGroupName: `/aws/lambda/${SERVICE}-${name}`,
        RetentionInDays: 14,
      });
      expect(asList(fn.DependsOn)).toContain(logGroupId);
    }
  });
});

describe("the events", () => {
  it("route the HTTP API as serverless.yml says, with payload format 2.0, as the local loop mirrors it", () => {
    const integrations = new Map(ofType("AWS::ApiGatewayV2::Integration"));
    const byLogicalId = new Map([...functionsByName()].map(([name, fn]) => [fn.logicalId, name]));

    const routes = ofType("AWS::ApiGatewayV2::Route").map(([, route]) => {
      const target = route.Properties.Target as { "Fn::Join": [string, [string, { Ref: string }]] };
      const integration = integrations.get(target["Fn::Join"][1][1].Ref)!;
      expect(integration.Properties).toMatchObject({
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
      });
      const uri = integration.Properties.IntegrationUri as { "Fn::GetAtt": [string, string] };
      return `${route.Properties.RouteKey} → ${byLogicalId.get(uri["Fn::GetAtt"][0])}`;
    });

    const expected = [
      "GET /hello → helloHttp",
      "GET /hello/{name} → helloHttp",
      "POST /todo/add → addTodo",
      "GET /todo/list → listTodo",
      "GET /health → api",
      "GET /todos → api",
      "POST /todos → api",
      "POST /todos/import → importUpload",
      "GET /todos/{id} → api",
      "PATCH /todos/{id} → api",
      "DELETE /todos/{id} → api",
    ];
    expect(routes.sort()).toEqual([...expected, "$default → api"].sort());
    expect(HTTP_ROUTES.map((route) => `${route.method} ${route.path} → ${route.functionName}`)).toEqual(
      expected,
    );
    expect(DEFAULT_ROUTE.functionName).toBe("api");
  });

  it("give the HTTP functions on the tables time for their DynamoDB client to give up, within API Gateway's 30 s", async () => {
    // The functions' own client: its attempts, each cut at `requestTimeout`, then a 503 STORE_UNAVAILABLE. A
    // function ended by Lambda sooner gets API Gateway's bare 500 instead.
    const client = dynamoDbClientOf();
    const attempts = await client.config.maxAttempts();
    client.destroy();
    const giveUpSeconds = (attempts * DYNAMODB_HTTP_TIMEOUTS.requestTimeout) / 1000;
    const onTheApi = new Set([...HTTP_ROUTES.map((route) => route.functionName), DEFAULT_ROUTE.functionName]);

    const checked = [];
    for (const [name, fn] of functionsByName()) {
      if (!onTheApi.has(name) || !JSON.stringify(fn.Properties.Environment ?? {}).includes("TODOS_TABLE"))
        continue;
      checked.push(name);
      expect(fn.Properties.Timeout, name).toBeGreaterThan(giveUpSeconds + 2);
      expect(fn.Properties.Timeout, name).toBeLessThan(30);
    }
    expect(checked.sort()).toEqual(["addTodo", "api", "importUpload", "listTodo"]);
  });

  it("let API Gateway invoke the HTTP functions, and only those", () => {
    const invokers = ofType("AWS::Lambda::Permission")
      .filter(([, permission]) => permission.Properties.Principal === "apigateway.amazonaws.com")
      .map(
        ([, permission]) =>
          (permission.Properties.FunctionName as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0],
      );

    expect(invokers.sort()).toEqual([
      "AddTodoLambdaFunction",
      "ApiLambdaFunction",
      "HelloHttpLambdaFunction",
      "ImportUploadLambdaFunction",
      "ListTodoLambdaFunction",
    ]);
  });

  it("throttle every route of the public HTTP API, and uploads, which hold a 1,024 MB function, more tightly", () => {
    type Throttle = { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number };
    const stages = ofType("AWS::ApiGatewayV2::Stage");
    const routeIds = new Map(
      ofType("AWS::ApiGatewayV2::Route").map(([logicalId, route]) => [route.Properties.RouteKey, logicalId]),
    );

    expect(stages).toHaveLength(1);
    const [, stage] = stages[0]!;
    const defaults = stage.Properties.DefaultRouteSettings as Throttle;
    const perRoute = (stage.Properties.RouteSettings ?? {}) as Record<string, Throttle>;
    expect(defaults).toEqual({
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
    });
    expect(Object.keys(perRoute)).toEqual(["POST /todos/import"]);
    for (const [routeKey, settings] of Object.entries(perRoute)) {
      // A stage's route settings name a route CloudFormation must have made first.
      expect(asList(stage.DependsOn)).toContain(routeIds.get(routeKey));
      expect(settings.ThrottlingRateLimit).toBeLessThan(defaults.ThrottlingRateLimit!);
      expect(settings.ThrottlingBurstLimit).toBeLessThan(defaults.ThrottlingBurstLimit!);
    }
  });

  it("invoke csvImport for every object created in the bucket whose key ends in .csv", () => {
    const [bucket] = ofType("AWS::S3::Bucket").filter(([, b]) => b.Properties.BucketName === BUCKET);

    expect(bucket?.[1].Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: "s3:ObjectCreated:*",
          Function: arnOf("CsvImportLambdaFunction"),
          Filter: { S3Key: { Rules: [{ Name: "suffix", Value: ".csv" }] } },
        },
      ],
    });
    expect(bucket?.[1].Properties.VersioningConfiguration).toEqual({ Status: "Enabled" });
    // Should a deploy ever rename the bucket, CloudFormation keeps the old one, uploads and all.
    expect(bucket?.[1]).toMatchObject({ UpdateReplacePolicy: "Retain" });
    // Replaced versions are not kept for ever, but a day longer than the failures queue keeps an event naming one.
    const [[, queue]] = ofType("AWS::SQS::Queue") as [[string, CfnResource]];
    const queueDays = Number(queue.Properties.MessageRetentionPeriod) / 86_400;
    expect(bucket?.[1].Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: "old-versions-and-abandoned-uploads",
          Status: "Enabled",
          NoncurrentVersionExpiration: { NoncurrentDays: queueDays + 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          ExpiredObjectDeleteMarker: true,
        },
      ],
    });
    // S3 checks that it may invoke the function when the notification is set: the permission comes first.
    const [permissionId, permission] = ofType("AWS::Lambda::Permission").find(
      ([, candidate]) => candidate.Properties.Principal === "s3.amazonaws.com",
    )!;
    expect(asList(bucket?.[1].DependsOn)).toContain(permissionId);
    expect(permission.Properties).toMatchObject({
      FunctionName: arnOf("CsvImportLambdaFunction"),
      Action: "lambda:InvokeFunction",
      SourceAccount: { Ref: "AWS::AccountId" },
    });
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain(`:s3:::${BUCKET}`);
  });

  it("send a csvImport event still failing after two retries to the failures queue", () => {
    const [, config] = ofType("AWS::Lambda::EventInvokeConfig")[0]!;

    expect(config.Properties).toEqual({
      FunctionName: { Ref: "CsvImportLambdaFunction" },
      Qualifier: "$LATEST",
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: arnOf("ImportFailuresQueue") } },
    });
    expect(resource("ImportFailuresQueue").Type).toBe("AWS::SQS::Queue");
  });
});

/**
 * A template's value as CloudFormation would deploy it: `Fn::If` on its conditions (`Fn::Not`, `Fn::Equals`),
 * `Fn::Split`, and `AWS::NoValue` taking the property out. Other intrinsics are left as they are.
 */
function deployed(value: unknown, conditions: Record<string, unknown> = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => deployed(item, conditions));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const [name, args] = entries[0] ?? [];
  if (entries.length === 1) {
    const list = args as unknown[];
    switch (name) {
      case "Fn::If":
        return deployed(deployed(conditions[list[0] as string], conditions) ? list[1] : list[2], conditions);
      case "Fn::Not":
        return !deployed(list[0], conditions);
      case "Fn::Equals":
        return deployed(list[0], conditions) === deployed(list[1], conditions);
      case "Fn::Split":
        return String(deployed(list[1], conditions)).split(String(list[0]));
      case "Ref":
        if (args === "AWS::NoValue") return undefined;
    }
  }
  return Object.fromEntries(
    entries
      .map(([key, item]) => [key, deployed(item, conditions)] as const)
      .filter(([, item]) => item !== undefined),
  );
}

describe("browser access (CORS) on the HTTP API", () => {
  const ORIGINS = ["https://todo.example.com", "http://localhost:5173"];
  const corsOf = (packaged: Template) =>
    (deployed(packaged.Resources.HttpApi, packaged.Conditions) as CfnResource).Properties.CorsConfiguration;

  let withCors: Template;
  beforeAll(async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "anycloud-cors-package-"));
    try {
      // Blanks after the commas, as a list is often written: the template gets the origins without them.
      withCors = await packageTemplate(folder, [`--param=corsOrigins=${ORIGINS.join(", ")}`]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("is off by default: the API has no CORS settings, so preflights reach core (405) as before", () => {
    expect(resource("HttpApi").Type).toBe("AWS::ApiGatewayV2::Api");
    // Absent, not empty: an empty CorsConfiguration is CORS settings with no origin allowed.
    expect(corsOf(template)).toBeUndefined();
  });

  it("allows the origins of the stage parameter corsOrigins, with core's methods, headers and max age", () => {
    const routeMethods = ofType("AWS::ApiGatewayV2::Route")
      .map(([, route]) => String(route.Properties.RouteKey).split(" ")[0]!)
      .filter((method) => method !== "$default");

    const cors = corsOf(withCors) as Record<string, unknown>;

    expect(cors).toEqual({
      AllowOrigins: ORIGINS,
      AllowMethods: expect.any(Array),
      AllowHeaders: CORS_ALLOWED_HEADERS,
      ExposeHeaders: CORS_EXPOSED_HEADERS,
      MaxAge: CORS_MAX_AGE_SECONDS,
    });
    // Every method a route takes, and HEAD, which core answers (through $default) for every GET route.
    expect([...(cors.AllowMethods as string[])].sort()).toEqual(
      [...new Set([...routeMethods, "HEAD"])].sort(),
    );
    expect(cors).not.toHaveProperty("AllowCredentials");
  });

  it("is refused before anything is packaged when an origin is not one as browsers send it", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "anycloud-cors-package-"));
    try {
      // osls prints its error on stdout; execFile's error carries both streams.
      const failure = await packageTemplate(folder, ["--param=corsOrigins=https://todo.example.com/"]).then(
        () => undefined,
        (error: { stdout?: string }) => error,
      );

      expect(failure?.stdout).toMatch(
        /corsOrigins must list origins as browsers send them.*"https:\/\/todo\.example\.com\/" is not one \(did you mean https:\/\/todo\.example\.com\?\)/,
      );
      await expect(readFile(path.join(folder, "cloudformation-template-update-stack.json"))).rejects.toThrow(
        /ENOENT/,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("gives the origins to the api function, $default's, which answers a preflight that reaches it", () => {
    const corsOriginsOf = (packaged: Template) =>
      Object.fromEntries(
        [...NAMES].map((name) => {
          const fn = deployed(packaged.Resources[functionId(name)], packaged.Conditions) as CfnResource;
          return [
            name,
            (fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables?.CORS_ORIGINS,
          ];
        }),
      );

    expect(corsOriginsOf(withCors)).toEqual(
      Object.fromEntries(NAMES.map((name) => [name, name === "api" ? ORIGINS.join(",") : undefined])),
    );
    expect(Object.values(corsOriginsOf(template)).every((origins) => origins === undefined)).toBe(true);
  });

  it("changes nothing else in the template, as deployed", () => {
    const withoutCors = (packaged: Template) => {
      const { HttpApi, ...rest } = deployed(packaged.Resources, packaged.Conditions) as Record<
        string,
        CfnResource
      >;
      const api = rest.ApiLambdaFunction!;
      const { CORS_ORIGINS, ...variables } = (
        api.Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      return {
        ...rest,
        HttpApi: { ...HttpApi, Properties: { ...HttpApi!.Properties, CorsConfiguration: undefined } },
        ApiLambdaFunction: {
          ...api,
          Properties: { ...api.Properties, Environment: { Variables: variables } },
        },
      };
    };
    // The zips' names hold the time of packaging.
    const timeless = (value: unknown) =>
      JSON.parse(JSON.stringify(value).replace(/\/\d{13}-[^/]+\//g, "/T/"));

    expect(timeless(withoutCors(withCors))).toEqual(timeless(withoutCors(template)));
  });
});

describe("the tables", () => {
  it.each([
    ["TodosTable", "id"],
    ["ImportsTable", "importId"],
  ])("%s is on-demand (PAY_PER_REQUEST), keyed by %s", (logicalId, hashKey) => {
    const table = resource(logicalId);

    expect(table.Type).toBe("AWS::DynamoDB::Table");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
    });
    expect(table.Properties).not.toHaveProperty("ProvisionedThroughput");
  });

  it("are named in the stack's outputs, for the plain server on the same stores", () => {
    expect(outputs).toMatchObject({
      TodosTableName: { Value: { Ref: "TodosTable" } },
      ImportsTableName: { Value: { Ref: "ImportsTable" } },
    });
  });

  it("are the only two", () => {
    expect(
      ofType("AWS::DynamoDB::Table")
        .map(([id]) => id)
        .sort(),
    ).toEqual(["ImportsTable", "TodosTable"]);
  });
});

describe("the stack's outputs", () => {
  it("give what README's commands take from them: the API's URL, the bucket, the failures queue and topic", () => {
    expect(outputs).toMatchObject({
      HttpApiUrl: { Value: { "Fn::Join": ["", expect.arrayContaining(["https://", { Ref: "HttpApi" }])] } },
      UploadsBucket: { Value: BUCKET },
      ImportFailuresQueueUrl: { Value: { Ref: "ImportFailuresQueue" } },
      ImportFailuresTopicArn: { Value: { Ref: "ImportFailuresTopic" } },
    });
  });
});

describe("IAM: least privilege", () => {
  /** Every role of the template, with the function it serves and every statement of its policies. */
  function roles() {
    const functionOfRole = new Map<string, FunctionName>();
    for (const [name, fn] of functionsByName()) {
      const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      expect(functionOfRole.has(role), `${role} serves two functions`).toBe(false);
      functionOfRole.set(role, name);
    }
    const statements = new Map<string, Statement[]>();
    for (const [roleId, role] of ofType("AWS::IAM::Role")) {
      const policies = (role.Properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[];
      statements.set(
        roleId,
        policies.flatMap((policy) => policy.PolicyDocument.Statement),
      );
    }
    // Policies attached from outside a role count for each role they name.
    for (const [, policy] of [...ofType("AWS::IAM::Policy"), ...ofType("AWS::IAM::ManagedPolicy")]) {
      const document = policy.Properties.PolicyDocument as PolicyDocument;
      for (const role of (policy.Properties.Roles ?? []) as { Ref: string }[])
        statements.get(role.Ref)?.push(...document.Statement);
    }
    return [...statements].map(([roleId, roleStatements]) => ({
      roleId,
      role: resource(roleId),
      functionName: functionOfRole.get(roleId),
      statements: roleStatements,
    }));
  }

  /** The template's resources by GRANTS' labels; each function's own log group is added by `grantsOf`. */
  const RESOURCES: Record<Exclude<GrantedResource, "logs">, unknown> = {
    todos: arnOf("TodosTable"),
    imports: arnOf("ImportsTable"),
    objects: { "Fn::Sub": `arn:\${AWS::Partition}:s3:::${BUCKET}/*` },
    failures: arnOf("ImportFailuresQueue"),
  };
  /** Resource label → the actions granted on it, for one role. */
  function grantsOf(functionName: FunctionName, statements: Statement[]): Record<string, string[]> {
    const labelled: [string, unknown][] = [...Object.entries(RESOURCES), ["logs", logGroupArn(functionName)]];
    const grants: Record<string, Set<string>> = {};
    for (const statement of statements) {
      for (const granted of asList(statement.Resource)) {
        const label = labelled.find(([, known]) => JSON.stringify(known) === JSON.stringify(granted))?.[0];
        expect(label, `${functionName} is granted ${JSON.stringify(granted)}`).toBeDefined();
        const actions = grants[label!] ?? new Set<string>();
        for (const action of asList(statement.Action)) actions.add(action);
        grants[label!] = actions;
      }
    }
    return Object.fromEntries(Object.entries(grants).map(([label, actions]) => [label, [...actions].sort()]));
  }

  it("gives each function a role of its own, which only Lambda may assume", () => {
    const all = roles();

    expect(all.map((role) => role.functionName).sort()).toEqual([...NAMES].sort());
    for (const { role } of all) {
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      });
      expect(role.Properties).not.toHaveProperty("ManagedPolicyArns");
    }
  });

  it("allows no action by wildcard, and nothing by exclusion", () => {
    for (const { roleId, statements } of roles()) {
      for (const statement of statements) {
        expect(statement.Effect, roleId).toBe("Allow");
        expect(statement, roleId).not.toHaveProperty("NotAction");
        expect(statement, roleId).not.toHaveProperty("NotResource");
        const actions = asList(statement.Action);
        expect(actions.length, roleId).toBeGreaterThan(0);
        for (const action of actions) expect(action, roleId).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it("grants each function only the tables, the bucket's objects, the queue and its own log group it uses", () => {
    for (const { functionName, statements } of roles()) {
      expect(grantsOf(functionName!, statements), functionName).toEqual(GRANTS[functionName!]);
    }
  });

  it("lets csvImport read the bucket's objects (not the bucket) and only batch-write todos (a retry reads which are in)", () => {
    const csvImport = roles().find((role) => role.functionName === "csvImport")!;

    const grants = grantsOf("csvImport", csvImport.statements);

    expect(grants.objects).toContain("s3:GetObject");
    expect(grants.todos).toEqual(["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"]);
    expect(JSON.stringify(csvImport.statements)).not.toContain(`s3:::${BUCKET}"`);
  });
});

describe("the alarm on imports that failed for good", () => {
  const EMAIL = "ops@example.com";
  let withEmail: Template;
  beforeAll(async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "anycloud-alarm-package-"));
    try {
      withEmail = await packageTemplate(folder, [`--param=alertEmail=${EMAIL}`]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("goes off in each minute an event is sent to the queue of csvImport's failures, and tells a topic", () => {
    expect(resource("CsvImportInvokeConfig").Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: arnOf("ImportFailuresQueue") },
    });
    expect(resource("ImportFailuresAlarm").Properties).toMatchObject({
      Namespace: "AWS/SQS",
      // Sent, not held: an alarm on the queue's depth stays in ALARM while one old event sits there, silent on
      // every later failure (an alarm acts only when its state changes).
      MetricName: "NumberOfMessagesSent",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["ImportFailuresQueue", "QueueName"] } }],
      Statistic: "Sum",
      Period: 60,
      // One minute with a failure sets it off; a minute without one (no data: nothing sent) sets it back to OK,
      // so that the next failure is told again (README).
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: "ImportFailuresTopic" }],
    });
    expect(resource("ImportFailuresTopic").Type).toBe("AWS::SNS::Topic");
    expect(outputs.ImportFailuresTopicArn).toEqual({ Value: { Ref: "ImportFailuresTopic" } });
  });

  // The first failure sent to a queue idle for hours may be reported too late for the minute the alarm above
  // looks at; the queue's depth stays above 0 while the event is held, so one on it goes off however late.
  it("also goes off while the queue holds a failed event, telling the same topic", () => {
    expect(resource("ImportFailuresWaitingAlarm").Properties).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["ImportFailuresQueue", "QueueName"] } }],
      Statistic: "Maximum",
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: "ImportFailuresTopic" }],
    });
  });

  it("mails the stage parameter alertEmail, and nobody without one", () => {
    const mailed = (packaged: Template) => deployed(packaged.Conditions?.AlertEmailOn, packaged.Conditions);

    expect(mailed(template)).toBe(false);
    expect(mailed(withEmail)).toBe(true);
    expect(withEmail.Resources.ImportFailuresEmail).toMatchObject({
      Condition: "AlertEmailOn",
      Properties: { TopicArn: { Ref: "ImportFailuresTopic" }, Protocol: "email", Endpoint: EMAIL },
    });
  });
});
