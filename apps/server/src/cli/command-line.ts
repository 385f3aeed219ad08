import { parseArgs } from "node:util";

export const USAGE = `Usage:
  todo import <file.csv | - | s3://bucket/key> [--quote auto|double|single] [--json]
      Streams a CSV file, standard input (-) or an S3 object (columns task,name,dueDate[,checked]) into the
      store.
  todo list [--limit N] [--json]
      Prints the todos.

The store is the server's: TODO_STORE (sqlite|memory|dynamodb), DATA_DIR, TODOS_TABLE..., as for the server.
S3 objects are read with the AWS SDK's usual credentials; S3_ENDPOINT points at a local S3 (s3rver, LocalStack).`;

const QUOTES = { auto: "auto", double: '"', single: "'" } as const;

/** Each `--quote` as it is written, with the quote it stands for. */
export const QUOTE_OPTIONS = Object.entries(QUOTES);

export type Command =
  | { name: "import"; location: string; quote: "auto" | '"' | "'"; json: boolean }
  | { name: "list"; limit?: number; json: boolean };

/** The command line's options and positionals, as node reads them (an unknown option throws). */
export function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quote: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

/** The command line as a command, or a `UsageError`. */
export function commandOf(
  positionals: string[],
  values: { quote?: string | undefined; limit?: string | undefined; json?: boolean | undefined },
): Command {
  const [name, ...rest] = positionals;
  const json = values.json === true;
  if (name === "import") {
    if (rest.length !== 1)
      throw new UsageError("todo import takes one file, - or s3:// URL.", { showUsage: true });
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

export class UsageError extends Error {
  readonly showUsage: boolean;

  constructor(message: string, { showUsage = false }: { showUsage?: boolean } = {}) {
    super(message);
    this.showUsage = showUsage;
  }
}
