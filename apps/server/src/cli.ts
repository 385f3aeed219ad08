#!/usr/bin/env node
import path from "node:path";
import { parseArgs } from "node:util";
import {
  ImportInProgressError,
  ImportLeaseLostError,
  type ImportReport,
  ObjectNotFoundError,
  type ObjectRef,
  type OpenedObject,
  StoreUnavailableError,
} from "@anycloud/core";
import { listTodos, OutputError, writeOut } from "./cli/list-todos.js";
import { ProgressBar } from "./cli/progress-bar.js";
import { ConfigError, readConfig, type ServerConfig } from "./config.js";
import { composeServerApp, type ServerApp } from "./container.js";
import { FileChangedError, LocalFileObjectSource, NotAFileError } from "./files/local-file-object-source.js";
import { parseS3Url } from "./files/s3-url.js";
import { corePortOf, createPino } from "./logging.js";

const USAGE = `Usage:
  todo import <file.csv | s3://bucket/key> [--quote auto|double|single] [--json]
      Streams a CSV file or S3 object (columns task,name,dueDate[,checked]) into the store.
  todo list [--limit N] [--json]
      Prints the todos.

The store is the server's: TODO_STORE (sqlite|memory|dynamodb), DATA_DIR, TODOS_TABLE..., as for the server.
S3 objects are read with the AWS SDK's usual credentials; S3_ENDPOINT points at a local S3 (s3rver, LocalStack).`;

const QUOTES = { auto: "auto", double: '"', single: "'" } as const;

type Command =
  | { name: "import"; location: string; quote: "auto" | '"' | "'"; json: boolean }
  | { name: "list"; limit?: number; json: boolean };

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quote: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The command is checked before the store is opened: a typo neither creates DATA_DIR nor waits on a store.
  const command = commandOf(positionals, values);
  const config = readConfig();
  if (config.store === "memory") {
    // Useful as a dry run (the report says what a file would import), but nothing survives the command.
    console.error("todo: TODO_STORE=memory: the store lives in this process only, and is gone when it ends.");
  }
  // The CLI's stdout is for results, and it says on stderr itself what went wrong, in one line: core's JSON
  // log lines (with stacks) only when LOG_LEVEL asks for them.
  const logger = createPino(process.env.LOG_LEVEL || "silent", 2);
  const app = await openStore(config, logger);
  try {
    if (command.name === "import") return await importFile(app, command, config);
    return await list(app, command);
  } finally {
    await app.close();
  }
}

/** The command line as a command, or a `UsageError`. */
function commandOf(
  positionals: string[],
  values: { quote?: string | undefined; limit?: string | undefined; json?: boolean | undefined },
): Command {
  const [name, ...rest] = positionals;
  const json = values.json === true;
  if (name === "import") {
    if (rest.length !== 1)
      throw new UsageError("todo import takes one file or s3:// URL.", { showUsage: true });
    if (values.limit !== undefined) throw new UsageError("--limit is for todo list.");
    const quote = values.quote ?? "auto";
    // Own keys only: `--quote constructor` must not find what every object inherits.
    if (!Object.hasOwn(QUOTES, quote)) throw new UsageError("--quote must be auto, double or single.");
    return { name, location: rest[0]!, quote: QUOTES[quote as keyof typeof QUOTES], json };
  }
  if (name === "list") {
    if (rest.length > 0) throw new UsageError(`todo list takes no argument: ${rest.join(" ")}`);
    if (values.quote !== undefined) throw new UsageError("--quote is for todo import.");
    if (values.limit === undefined) return { name, json };
    if (!/^[1-9]\d{0,15}$/.test(values.limit)) throw new UsageError("--limit must be a whole number from 1.");
    return { name, limit: Number(values.limit), json };
  }
  throw new UsageError(name === undefined ? "no command." : `not a command: ${name}`, { showUsage: true });
}

/**
 * The composed app. A store that cannot be opened for what DATA_DIR is (a file, not writable, not a database)
 * is a setting (exit 2); one busy or locked by another process is unavailable (exit 1); anything else is a
 * bug, and goes on whole.
 */
async function openStore(config: ServerConfig, logger: ReturnType<typeof createPino>): Promise<ServerApp> {
  try {
    return await composeServerApp(config, corePortOf(logger));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof ConfigError || typeof code !== "string") throw error;
    const reason = (error as Error).message;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
      throw new StoreUnavailableError(`The ${config.store} store is busy.`, { cause: error });
    }
    const where = config.store === "sqlite" ? ` in DATA_DIR=${config.dataDir}` : "";
    throw new ConfigError(`cannot open the ${config.store} store${where}: ${reason}`, { cause: error });
  }
}

async function importFile(
  app: ServerApp,
  { location, quote, json }: Extract<Command, { name: "import" }>,
  config: ServerConfig,
): Promise<number> {
  const { source, opened } = await openSource(location, config);
  const bar = new ProgressBar(process.stderr);
  // Ctrl-C stops the import cleanly: core records it FAILED, so that running it again takes it over at
  // once instead of finding it RUNNING until its lease expires. A second Ctrl-C kills at once (`once`).
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(new InterruptedError(signal));
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
  // Written as the list is: a report that cannot be written (a full disk) is exit 1, not a silent success.
  await writeOut(
    process.stdout,
    `${json ? JSON.stringify(report, null, 2) : describeReport(report)}\n`,
    "report",
  );
  if (report.status !== "COMPLETED") return 1;
  // A file that is no todo CSV is the caller's to fix, as a file that is not there: 2, though it was recorded.
  return report.headerRejected ? 2 : 0;
}

/** A local file, or an S3 object (the AWS SDK is loaded only then); the ref carries the version read. */
async function openSource(
  location: string,
  config: ServerConfig,
): Promise<{ source: ObjectRef; opened: OpenedObject }> {
  const s3 = parseS3Url(location);
  if (!s3 && location.startsWith("s3://"))
    throw new UsageError(`${location}: an S3 object is s3://bucket/key.`);
  if (s3) {
    const { S3ObjectSource, s3ClientOf } = await import("@anycloud/adapters-aws/storage");
    const client = s3ClientOf({ endpoint: config.s3Endpoint });
    const opened = await new S3ObjectSource(client).open(s3);
    return { source: { ...s3, ...(opened.version ? { version: opened.version } : {}) }, opened };
  }
  const file = await LocalFileObjectSource.refOf(path.resolve(callersDirectory(), location));
  // Opened at once: an unreadable file fails here, before any import is recorded. The version is the one read.
  const opened = await new LocalFileObjectSource().open(file);
  return { source: { ...file, ...(opened.version ? { version: opened.version } : {}) }, opened };
}

/**
 * Where the user typed the command. `pnpm todo` runs in the workspace root and names the caller's directory in
 * INIT_CWD; it is trusted only when this process is that script (INIT_CWD is inherited by every process a
 * script starts, a test run's included).
 */
function callersDirectory(): string {
  const { INIT_CWD, npm_lifecycle_event } = process.env;
  return npm_lifecycle_event === "todo" && INIT_CWD ? INIT_CWD : process.cwd();
}

async function list(app: ServerApp, { limit, json }: Extract<Command, { name: "list" }>): Promise<number> {
  await listTodos(app.todos, process.stdout, { json, ...(limit !== undefined && { limit }) });
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

class UsageError extends Error {
  readonly showUsage: boolean;

  constructor(message: string, { showUsage = false }: { showUsage?: boolean } = {}) {
    super(message);
    this.showUsage = showUsage;
  }
}

class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super("interrupted: the import is recorded FAILED; run the same command again to finish it.");
  }
}

// What the user can fix about a file named on the command line.
const FILE_ERRORS = new Set(["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "ELOOP", "ENAMETOOLONG"]);

/** The exit code and one line for an error the user can act on; undefined for a bug (printed whole). */
function explain(error: unknown): { code: number; message: string } | undefined {
  const message = (error as Error).message;
  // 128 + the signal's number, as shells report a process the signal killed: 130 for SIGINT, 143 for SIGTERM.
  if (error instanceof InterruptedError) return { code: error.signal === "SIGTERM" ? 143 : 130, message };
  if (
    error instanceof ImportInProgressError ||
    error instanceof OutputError ||
    error instanceof FileChangedError
  ) {
    return { code: 1, message };
  }
  // This run was held up past its lease (suspended, or stuck on a slow disk or store), and another took over.
  if (error instanceof ImportLeaseLostError) {
    return {
      code: 1,
      message: `this import was held up, and another \`todo import\` or the server took it over and went on with it. Run the same command again for its outcome.`,
    };
  }
  // A store that fails while it is used (locked, unreachable): its cause is what the user can look into.
  if (error instanceof StoreUnavailableError) {
    const cause = (error.cause as Error | undefined)?.message;
    return { code: 1, message: cause ? `${message} (${cause})` : message };
  }
  const code = String((error as { code?: unknown }).code);
  const usage =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof NotAFileError ||
    error instanceof ObjectNotFoundError ||
    FILE_ERRORS.has(code) ||
    // parseArgs: an unknown option, or a file name that starts with "-" (write `todo import -- -a.csv`).
    code.startsWith("ERR_PARSE_ARGS");
  return usage ? { code: 2, message } : undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = explain(error);
    console.error(known ? `todo: ${known.message}` : error);
    if (error instanceof UsageError && error.showUsage) console.error(USAGE);
    process.exitCode = known?.code ?? 1;
  },
);
