#!/usr/bin/env node
import path from "node:path";
import { parseArgs } from "node:util";
import type { ImportReport } from "@anycloud/core";
import { ProgressBar } from "./cli/progress-bar.js";
import { ConfigError, readConfig } from "./config.js";
import { composeServerApp } from "./container.js";
import { LocalFileObjectSource } from "./files/local-file-object-source.js";
import { corePortOf, createPino } from "./logging.js";

const USAGE = `Usage:
  todo import <file.csv> [--quote auto|double|single] [--json]
      Streams a CSV file (columns task,name,dueDate[,checked]) into the store.
  todo list [--limit N] [--json]
      Prints the todos.

The store is the server's: TODO_STORE (sqlite|memory) and DATA_DIR, as for the server.`;

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
  app: Awaited<ReturnType<typeof composeServerApp>>,
  file: string,
  quoteOption: string,
  json: boolean,
): Promise<number> {
  const quote = ({ auto: "auto", double: '"', single: "'" } as const)[quoteOption as "auto"];
  if (!quote) throw new UsageError("--quote must be auto, double or single.");
  const source = await LocalFileObjectSource.refOf(path.resolve(file));
  const bar = new ProgressBar(process.stderr);
  const report = await app.importTodos.execute(
    { source: { container: source.container, key: source.key, version: source.version }, quote },
    { onProgress: (progress) => bar.update({ ...progress, totalBytes: progress.totalBytes ?? source.size }) },
  );
  bar.done();
  console.log(json ? JSON.stringify(report, null, 2) : describeReport(report));
  return report.status === "COMPLETED" ? 0 : 1;
}

async function list(
  app: Awaited<ReturnType<typeof composeServerApp>>,
  limitText: string | undefined,
  json: boolean,
) {
  const limit = limitText === undefined ? Number.POSITIVE_INFINITY : Number(limitText);
  if (!(limit > 0)) throw new UsageError("--limit must be a positive number.");
  let cursor: string | undefined;
  let printed = 0;
  do {
    const page = await app.todos.list({
      limit: Math.min(100, limit - printed),
      ...(cursor ? { cursor } : {}),
    });
    for (const todo of page.items) {
      console.log(
        json
          ? JSON.stringify(todo)
          : `${todo.checked ? "[x]" : "[ ]"} ${todo.task}${todo.name ? ` (${todo.name})` : ""}${todo.dueDate ? `, due ${todo.dueDate}` : ""}  ${todo.id}`,
      );
    }
    printed += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && printed < limit);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof ConfigError ||
      (error as { code?: string }).code === "ENOENT";
    console.error(known ? `todo: ${(error as Error).message}` : error);
    process.exitCode = known ? 2 : 1;
  },
);
