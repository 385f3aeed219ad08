import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { elapsedSince, forcedStandIn, STAND_IN_CREDENTIALS, STAND_IN_REGION } from "./aws-clients.js";
import { acquireLocalstack, hasContainerRuntime } from "./localstack.js";
import { normaliseS3rverRecord, type ObjectCreatedListener, objectCreatedRecord } from "./s3-events.js";
import { startS3rver } from "./s3rver-process.js";

export type S3StandInKind = "external" | "localstack" | "s3rver";

export interface S3StandIn {
  endpoint: string;
  kind: S3StandInKind;
  /** A client set up for this stand-in (path-style addressing, dummy credentials). */
  client: S3Client;
  /** Calls `listener` with a real-shaped S3 event for each object created; returns an unsubscribe. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  stop(): Promise<void>;
}

const FORCEABLE: readonly S3StandInKind[] = ["localstack", "s3rver"];

// Event names S3 gives the writes that `client` can make, for stand-ins that send no notifications here.
const CREATED_BY: Record<string, string> = {
  PutObjectCommand: "ObjectCreated:Put",
  CopyObjectCommand: "ObjectCreated:Copy",
  CompleteMultipartUploadCommand: "ObjectCreated:CompleteMultipartUpload",
};

/**
 * Starts the best S3 stand-in this machine has, and says which: `S3_ENDPOINT` when set; else LocalStack
 * when a container runtime answers (sharing the DynamoDB stand-in's container); else s3rver in-process.
 * `S3_STANDIN=localstack|s3rver` forces one.
 *
 * Object-created events: s3rver emits its own, normalised here to S3's shape. LocalStack and external
 * endpoints would deliver theirs through SQS/SNS; instead, each object created through `client` is reported
 * (built from a HeadObject of it), which covers what tests write.
 */
export async function startS3(): Promise<S3StandIn> {
  const started = performance.now();
  const kind = await chooseKind();
  const listeners = new Set<ObjectCreatedListener>();
  const emit = (event: S3Event) => {
    for (const listener of listeners) listener(event);
  };
  const report = (error: unknown) => console.error("Could not build an S3 event:", error);

  const { endpoint, client, stop } =
    kind === "s3rver" ? await startS3rverBackend(emit, report) : await startRemoteBackend(kind, emit, report);
  console.info(`S3 stand-in: ${kind} at ${endpoint}, ready in ${elapsedSince(started)} ms`);
  return {
    endpoint,
    kind,
    client,
    onObjectCreated: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      listeners.clear();
      client.destroy();
      await stop();
    },
  };
}

interface Backend {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

async function startS3rverBackend(
  emit: (event: S3Event) => void,
  report: (error: unknown) => void,
): Promise<Backend> {
  let client: S3Client | undefined;
  const server = await startS3rver((event) => {
    const records = event.Records.filter((record) => record.eventName.startsWith("ObjectCreated:"));
    // The client exists as soon as s3rver listens, before anything can be written.
    const normalising = client;
    if (records.length === 0 || normalising === undefined) return;
    Promise.all(records.map((record) => normaliseS3rverRecord(normalising, record)))
      .then((Records) => emit({ Records }))
      .catch(report);
  });
  // With the SDK's default checksums, a streamed PutObject is stored with aws-chunked framing in it.
  client = s3Client(server.endpoint, {
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return { ...server, client };
}

async function startRemoteBackend(
  kind: "localstack" | "external",
  emit: (event: S3Event) => void,
  report: (error: unknown) => void,
): Promise<Backend> {
  const { endpoint, release } =
    kind === "localstack"
      ? await acquireLocalstack()
      : { endpoint: process.env.S3_ENDPOINT!, release: async () => {} };
  const client = s3Client(endpoint);
  tapObjectCreated(client, (record) => emit({ Records: [record] }), report);
  return { endpoint, client, stop: release };
}

async function chooseKind(): Promise<S3StandInKind> {
  const forced = forcedStandIn("S3_STANDIN", FORCEABLE);
  if (forced) return forced;
  if (process.env.S3_ENDPOINT) return "external";
  return (await hasContainerRuntime()) ? "localstack" : "s3rver";
}

function s3Client(endpoint: string, config: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint,
    region: STAND_IN_REGION,
    credentials: STAND_IN_CREDENTIALS,
    forcePathStyle: true,
    ...config,
  });
}

/** Reports each object `client` creates, after the write succeeded. */
function tapObjectCreated(
  client: S3Client,
  emit: (record: Awaited<ReturnType<typeof objectCreatedRecord>>) => void,
  report: (error: unknown) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const eventName = CREATED_BY[context.commandName ?? ""];
      if (eventName) {
        const input = args.input as { Bucket?: string; Key?: string };
        const output = result.output as { VersionId?: string };
        objectCreatedRecord(client, eventName, {
          bucket: input.Bucket ?? "",
          key: input.Key ?? "",
          ...(output.VersionId !== undefined && { versionId: output.VersionId }),
        })
          .then(emit)
          .catch(report);
      }
      return result;
    },
    { step: "initialize", name: "standInObjectCreatedTap" },
  );
}
