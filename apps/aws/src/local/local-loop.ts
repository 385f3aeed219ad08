import { randomBytes } from "node:crypto";
import { DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { csvUploadsListener } from "./csv-uploads.js";
import { startDynalite } from "./dynalite-server.js";
import { javaWorks, startDynamoDbLocal } from "./dynamodb-local-process.js";
import { createTables } from "./dynamodb-tables.js";
import { startLocalHttpServer } from "./local-http-server.js";
import { type LoadFunction, LocalLambdas } from "./local-lambdas.js";
import { type LocalServer, PortTakenError, portToUse } from "./local-server.js";
import { startS3rver } from "./s3rver-process.js";

export interface LocalLoopOptions {
  /** Imports a function's module: its bundle (scripts/local.mjs), or its source under a test runner. */
  loadFunction: LoadFunction;
  /** The HTTP API and Lambda's Invoke API (3001); 0, here and below, for any free port. */
  port?: number;
  /** s3rver (4568). */
  s3Port?: number;
  /** DynamoDB Local or dynalite (8000). */
  dynamoDbPort?: number;
  /** A DynamoDB to use (LocalStack...) instead of starting DynamoDB Local, or dynalite without Java. */
  dynamoDbEndpoint?: string;
  /** `anycloud-workshop-local-uploads`. */
  bucket?: string;
  /** `anycloud-workshop-local-todos` and `-imports`. */
  tables?: { todos: string; imports: string };
  /** Waits before Lambda's two retries of a failed import: 1 and 2 minutes on AWS, 1 and 2 s by default. */
  retryDelaysMs?: readonly number[];
  /** The functions' LOG_LEVEL (`warn`). */
  logLevel?: string;
  log?: (line: string) => void;
}

export type LocalDynamoDbKind = "external" | "dynamodb-local" | "dynalite";

/** The options that set a port of the loop. */
export type LocalPortOption = "port" | "s3Port" | "dynamoDbPort";

/** Ports the loop was to listen on that other processes hold (another loop, often): nothing was started. */
export class PortsTakenError extends Error {
  override readonly name = "PortsTakenError";

  constructor(readonly taken: readonly TakenPort[]) {
    const said = portsTakenSaid(taken, ({ service }) => service);
    super(`${said[0]!.toUpperCase()}${said.slice(1)} Stop what uses them, or choose other ports.`);
  }
}

/** A port of the loop that another process holds. */
export interface TakenPort {
  option: LocalPortOption;
  service: string;
  port: number;
}

/** `ports 3001 (<name>) and 4568 (<name>) are taken: is another local loop running?`, each named by `nameOf`. */
export function portsTakenSaid(taken: readonly TakenPort[], nameOf: (port: TakenPort) => string): string {
  const ports = listed(taken.map((each) => `${each.port} (${nameOf(each)})`));
  const one = taken.length === 1;
  return `${one ? "port" : "ports"} ${ports} ${one ? "is" : "are"} taken: is another local loop running?`;
}

export interface LocalLoop {
  /** The HTTP API: `http://127.0.0.1:3001`. */
  url: string;
  s3: { endpoint: string; bucket: string };
  dynamoDb: {
    endpoint: string;
    kind: LocalDynamoDbKind;
    pid?: number;
    tables: { todos: string; imports: string };
  };
  /** Stops serving, lets running invocations finish (a few seconds at most), then stops every stand-in. */
  stop(): Promise<void>;
}

/** s3rver accepts these credentials only; DynamoDB Local accepts any. */
const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const REGION = "us-east-1";
const SETTLE_MS = 5_000;

/**
 * The AWS app on this machine: DynamoDB Local (or dynalite), s3rver with the uploads bucket, the HTTP API of
 * serverless.yml and its S3 notification, in front of the real handlers. Sets the functions' environment
 * in `process.env` before any is loaded, as Lambda would: the tables, the endpoints, s3rver's credentials.
 *
 * @example
 * const loop = await startLocalLoop({
 *   loadFunction: (name) => import(`./dist/local/functions/${bundleOf(name)}/index.mjs`),
 * });
 * // curl $loop.url/todos; upload a CSV to loop.s3.bucket at loop.s3.endpoint
 * await loop.stop();
 */
export async function startLocalLoop(options: LocalLoopOptions): Promise<LocalLoop> {
  const log = options.log ?? ((line: string) => console.log(line));
  const bucket = options.bucket ?? "anycloud-workshop-local-uploads";
  const tables = options.tables ?? {
    todos: "anycloud-workshop-local-todos",
    imports: "anycloud-workshop-local-imports",
  };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, "Some of the local loop did not stop cleanly.");
  };

  // Every port first: a loop already running is told at once, in one message, not after DynamoDB Local's start.
  await checkPorts(options);
  try {
    const dynamoDb = await startDynamoDbFor(options, log);
    stops.push(dynamoDb.stop);
    const dynamoDbClient = new DynamoDBClient({
      endpoint: dynamoDb.endpoint,
      region: REGION,
      credentials: S3RVER_CREDENTIALS,
    });
    stops.push(async () => dynamoDbClient.destroy());
    await createTables(dynamoDbClient, tables).catch((error: unknown) => {
      // An external DynamoDB may hold them from an earlier run.
      if (!(error instanceof ResourceInUseException)) throw error;
    });

    const lambdas = new LocalLambdas(options.loadFunction, log);
    // Uploads are wired to csvImport once the bucket exists, and unwired first thing on stop.
    let onUpload: (event: S3Event) => void = () => {};
    const s3rver = await startS3rver((event) => onUpload(event), { port: options.s3Port ?? 4568 });
    stops.push(s3rver.stop);
    const s3 = new S3Client({
      endpoint: s3rver.endpoint,
      region: REGION,
      credentials: S3RVER_CREDENTIALS,
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    stops.push(async () => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    });

    // The functions' environment: what serverless.yml sets on AWS, pointed at the stand-ins.
    Object.assign(process.env, {
      TODOS_TABLE: tables.todos,
      IMPORTS_TABLE: tables.imports,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      S3_ENDPOINT: s3rver.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      // Shared by every function, as the one in Secrets Manager is on AWS.
      CURSOR_SECRET: randomBytes(24).toString("base64url"),
      LOG_LEVEL: options.logLevel ?? "warn",
    });
    delete process.env.AWS_SESSION_TOKEN;
    // The plain server's variable, which a shell may hold: on AWS the api function gets it from the stage
    // parameter corsOrigins only, and the local loop applies no CORS (README), half of it through api alone.
    delete process.env.CORS_ORIGINS;
    const retryDelaysMs = options.retryDelaysMs ?? [1_000, 2_000];
    const uploads = csvUploadsListener({ lambdas, s3, bucket, retryDelaysMs, log });
    onUpload = uploads.onEvent;

    const http = await startLocalHttpServer({ port: options.port ?? 3001, lambdas, log, retryDelaysMs });
    stops.push(async () => {
      onUpload = () => {};
      uploads.close();
      await http.close();
      if (!(await lambdas.settle(SETTLE_MS))) log("Some invocations were still running: stopped under them.");
    });

    return {
      url: http.url,
      s3: { endpoint: s3rver.endpoint, bucket },
      dynamoDb: {
        endpoint: dynamoDb.endpoint,
        kind: dynamoDb.kind,
        ...(dynamoDb.pid !== undefined && { pid: dynamoDb.pid }),
        tables,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

async function checkPorts(options: LocalLoopOptions): Promise<void> {
  const wanted: { option: LocalPortOption; service: string; port: number }[] = [
    { option: "port", service: "the HTTP API", port: options.port ?? 3001 },
    { option: "s3Port", service: "s3rver", port: options.s3Port ?? 4568 },
  ];
  if (!options.dynamoDbEndpoint)
    wanted.push({ option: "dynamoDbPort", service: "DynamoDB", port: options.dynamoDbPort ?? 8000 });
  const taken: typeof wanted = [];
  for (const entry of wanted) {
    if (entry.port === 0) continue;
    await portToUse(entry.port, entry.service).catch((error: unknown) => {
      if (!(error instanceof PortTakenError)) throw error;
      taken.push(entry);
    });
  }
  if (taken.length > 0) throw new PortsTakenError(taken);
}

async function startDynamoDbFor(
  options: LocalLoopOptions,
  log: (line: string) => void,
): Promise<LocalServer & { kind: LocalDynamoDbKind }> {
  if (options.dynamoDbEndpoint) {
    return { endpoint: options.dynamoDbEndpoint, kind: "external", stop: async () => {} };
  }
  const port = options.dynamoDbPort ?? 8000;
  if (!javaWorks()) return { ...(await startDynalite({ port })), kind: "dynalite" };
  const onUnexpectedExit = (how: string, pid: number | undefined) =>
    log(
      `DynamoDB Local (pid ${pid}) ${how}: the functions can no longer reach DynamoDB (the API answers ` +
        "503, imports fail). Stop the loop (Ctrl-C) and start it again; its data is gone.",
    );
  return { ...(await startDynamoDbLocal({ port, onUnexpectedExit })), kind: "dynamodb-local" };
}
