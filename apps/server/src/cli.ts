#!/usr/bin/env node
import path from "node:path";
import { parseArgs } from "node:util";
import {
  ImportInProgressError,
  type ImportReport,
  ObjectNotFoundError,
  type ObjectRef,
  type OpenedObject,
} from "@anycloud/core";
import { listTodos, OutputError } from "./cli/list-todos.js";
import { ProgressBar } from "./cli/progress-bar.js";
import { ConfigError, readConfig } from "./config.js";
import { composeServerApp, type ServerApp } from "./container.js";
import { LocalFileObjectSource, NotAFileError } from "./files/local-file-object-source.js";
import { parseS3Url } from "./files/s3-url.js";
import { corePortOf, createPino } from "./logging.js";

const USAGE = `Usage:
  todo import <file.csv | s3://bucket/key> [--quote auto|double|single] [--json]
      Streams a CSV file or S3 object (columns task,name,dueDate[,checked]) into the store.
  todo list [--limit N] [--json]
      Prints the todos.

The store is the server's: TODO_STORE (sqlite|memory|dynamodb), DATA_DIR, TODOS_TABLE..., as for the server.
S3 objects are read with the AWS SDK's usual credentials; S3_ENDPOINT points at a local S3 (s3rver, LocalStack).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quote: { type: "string", default: "auto" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = readConfig();
  if (config.store === "memory") {
    // Useful as a dry run (the report says what a file would import), but nothing survives the command.
    console.error("todo: TODO_STORE=memory: the store lives in this process only, and is gone when it ends.");
  }
  // The CLI's stdout is for results: logs go to stderr, warnings and worse only unless LOG_LEVEL says otherwise.
  const logger = createPino(process.env.LOG_LEVEL || "warn", 2);
  const app = await composeServerApp(config, corePortOf(logger));
  try {
    if (command === "import" && rest.length === 1)
      return await importFile(app, rest[0]!, values.quote!, values.json!);
    if (command === "list" && rest.length === 0) return await list(app, values.limit, values.json!);
    console.error(USAGE);
    return 2;
  } finally {
    await app.close();
  }
}

async function importFile(
  app: ServerApp,
  location: string,
  quoteOption: string,
  json: boolean,
): Promise<number> {
  const quote = ({ auto: "auto", double: '"', single: "'" } as const)[quoteOption as "auto"];
  if (!quote) throw new UsageError("--quote must be auto, double or single.");
  const { source, opened } = await openSource(location);
  const bar = new ProgressBar(process.stderr);
  // Ctrl-C stops the import cleanly: core records it FAILED, so that running it again takes it over at
  // once instead of finding it RUNNING until its lease expires. A second Ctrl-C kills at once (`once`).
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new InterruptedError());
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let report: ImportReport;
  try {
    report = await app.importTodos.execute(
      { source, quote },
      {
        body: opened,
        signal: interrupt.signal,
        onProgress: (progress) => bar.update({ ...progress, totalBytes: progress.totalBytes ?? opened.size }),
      },
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    bar.done();
  }
  console.log(json ? JSON.stringify(report, null, 2) : describeReport(report));
  return report.status === "COMPLETED" ? 0 : 1;
}

/** A local file, or an S3 object (the AWS SDK is loaded only then); the ref carries the version read. */
async function openSource(location: string): Promise<{ source: ObjectRef; opened: OpenedObject }> {
  const s3 = parseS3Url(location);
  if (!s3 && location.startsWith("s3://"))
    throw new UsageError(`${location}: an S3 object is s3://bucket/key.`);
  if (s3) {
    const { S3ObjectSource, s3HttpTimeouts } = await import("@anycloud/adapters-aws/storage");
    const { S3Client } = await import("@aws-sdk/client-s3");
    const endpoint = readConfig().s3Endpoint;
    // A local S3 (s3rver, LocalStack) wants path-style URLs and no streaming checksums.
    const client = new S3Client({
      requestHandler: s3HttpTimeouts(),
      ...(endpoint && {
        endpoint,
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
    });
    const opened = await new S3ObjectSource(client).open(s3);
    return { source: { ...s3, ...(opened.version ? { version: opened.version } : {}) }, opened };
  }
  const file = await LocalFileObjectSource.refOf(path.resolve(location));
  const opened = await new LocalFileObjectSource().open(file);
  return { source: { container: file.container, key: file.key, version: file.version }, opened };
}

async function list(app: ServerApp, limitText: string | undefined, json: boolean): Promise<number> {
  if (limitText !== undefined && !/^[1-9]\d{0,15}$/.test(limitText)) {
    throw new UsageError("--limit must be a whole number from 1.");
  }
  await listTodos(app.todos, process.stdout, {
    json,
    ...(limitText !== undefined && { limit: Number(limitText) }),
  });
  return 0;
}

function describeReport(report: ImportReport): string {
  const lines = [
    `${report.status}: ${report.imported} imported, ${report.rejected} rejected, ${report.failed} failed of ${report.rowsRead} rows in ${(report.durationMs / 1000).toFixed(2)} s`,
    `import ${report.importId}`,
  ];
  if (report.note) lines.push(report.note);
  for (const error of report.errors) lines.push(`  line ${error.line}: ${error.reason}`);
  if (report.errorsTruncated) lines.push("  (more errors not shown)");
  return lines.join("\n");
}

class UsageError extends Error {}

class InterruptedError extends Error {
  constructor() {
    super("interrupted: the import is recorded FAILED; run the same command again to finish it.");
  }
}

/** The exit code and one line for an error the user can act on; undefined for a bug (printed whole). */
function explain(error: unknown): { code: number; message: string } | undefined {
  const message = (error as Error).message;
  // 130: killed by SIGINT, as shells report it.
  if (error instanceof InterruptedError) return { code: 130, message };
  if (error instanceof ImportInProgressError || error instanceof OutputError) return { code: 1, message };
  const usage =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof NotAFileError ||
    error instanceof ObjectNotFoundError ||
    (error as { code?: string }).code === "ENOENT" ||
    // parseArgs: an unknown option, or a file name that starts with "-" (write `todo import -- -a.csv`).
    String((error as { code?: string }).code).startsWith("ERR_PARSE_ARGS");
  return usage ? { code: 2, message } : undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = explain(error);
    console.error(known ? `todo: ${known.message}` : error);
    process.exitCode = known?.code ?? 1;
  },
);
