import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleOf, HTTP_ROUTES } from "./functions.js";
import {
  type LocalLoop,
  type LocalPortOption,
  PortsTakenError,
  portsTakenSaid,
  startLocalLoop,
} from "./local-loop.js";

/**
 * `pnpm --filter @anycloud/aws local`: the local loop on the bundles in `functionsDir`
 * (`<functionsDir>/<bundle>/index.mjs`, as scripts/local.mjs builds them), until SIGINT, SIGTERM or SIGHUP.
 * Settings come from the environment: PORT (3001), S3_PORT (4568), DYNAMODB_PORT (8000), DYNAMODB_ENDPOINT
 * (use that DynamoDB instead of starting one), UPLOADS_BUCKET, LOG_LEVEL (the functions' own, `warn`).
 */
export async function runLocalLoop(
  functionsDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  // Listening before anything starts: DynamoDB Local runs in its own process group, out of reach of the
  // terminal's signals, so a Ctrl-C (or a closed terminal) during start-up must still stop it, through us.
  let loop: LocalLoop | undefined;
  let stopping = false;
  let signalledWhileStarting: NodeJS.Signals | undefined;
  const shutDown = (started: LocalLoop, signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping...`);
    started.stop().then(
      () => {
        console.log("Stopped.");
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // process.exit runs the "exit" hooks that kill the processes started.
      console.log(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    if (loop) return shutDown(loop, signal);
    signalledWhileStarting = signal;
    console.log(`${signal}: stopping once started (${signal} again exits now)...`);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);

  // Settings first: a bad one stops the loop before anything starts, in one line that names it.
  let ports: { port: number; s3Port: number; dynamoDbPort: number };
  try {
    ports = {
      port: portFrom(env, "PORT", 3001),
      s3Port: portFrom(env, "S3_PORT", 4568),
      dynamoDbPort: portFrom(env, "DYNAMODB_PORT", 8000),
    };
    const twice = portGivenTwice(ports, Boolean(env.DYNAMODB_ENDPOINT));
    if (twice) throw new Error(twice);
  } catch (error) {
    console.error(`local: ${(error as Error).message}`);
    process.exit(1);
  }
  // The functions run on Lambda's nodejs22.x: the SDK's warning that its 2027 releases need Node 22, printed
  // by every function's bundle on a local Node 20, says nothing about them.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  try {
    loop = await startLocalLoop({
      // One module instance per function (the query makes each URL distinct), as each Lambda has its own.
      loadFunction: (name) =>
        import(`${pathToFileURL(join(functionsDir, bundleOf(name), "index.mjs")).href}?function=${name}`),
      ...ports,
      ...(env.DYNAMODB_ENDPOINT && { dynamoDbEndpoint: env.DYNAMODB_ENDPOINT }),
      ...(env.UPLOADS_BUCKET && { bucket: env.UPLOADS_BUCKET }),
      logLevel: env.LOG_LEVEL || "warn",
    });
  } catch (error) {
    if (!(error instanceof PortsTakenError)) throw error;
    console.error(`local: ${portsTaken(error)}`);
    process.exit(1);
  }
  if (signalledWhileStarting) return shutDown(loop, signalledWhileStarting);
  console.log(banner(loop));
}

const PORT_VARIABLES: Record<LocalPortOption, string> = {
  port: "PORT",
  s3Port: "S3_PORT",
  dynamoDbPort: "DYNAMODB_PORT",
};

/** `port 3001 (PORT, the HTTP API) is taken: ...`, in the variables that choose the ports. */
function portsTaken({ taken }: PortsTakenError): string {
  const one = taken.length === 1;
  const said = portsTakenSaid(taken, ({ option, service }) => `${PORT_VARIABLES[option]}, ${service}`);
  return (
    `${said} Stop it, or set ${one ? "that variable" : "those variables"} to free ports (0 picks any) and use ` +
    `${one ? "it" : "them"} in the commands printed.`
  );
}

/** The port in `env[name]`, in decimal digits (`Number` would also take `0x50` or `1e3`), or `fallback`. */
export function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port <= 65_535)) throw new Error(`${name} must be a port from 0 to 65535, not "${value}".`);
  return port;
}

/**
 * `PORT and S3_PORT are both 4568: ...` when two of the loop's servers are given one port (0, any free port,
 * excepted; DYNAMODB_PORT too when DYNAMODB_ENDPOINT is set): else the second to start failed with a stack trace.
 */
function portGivenTwice(
  ports: Record<LocalPortOption, number>,
  externalDynamoDb: boolean,
): string | undefined {
  const seen = new Map<number, LocalPortOption>();
  for (const option of ["port", "s3Port", "dynamoDbPort"] as const) {
    const port = ports[option];
    if (port === 0 || (option === "dynamoDbPort" && externalDynamoDb)) continue;
    const first = seen.get(port);
    if (first !== undefined)
      return `${PORT_VARIABLES[first]} and ${PORT_VARIABLES[option]} are both ${port}: give each a port of its own.`;
    seen.set(port, option);
  }
  return undefined;
}

function banner(loop: LocalLoop): string {
  const { url, s3, dynamoDb } = loop;
  const store =
    dynamoDb.kind === "dynamodb-local"
      ? `DynamoDB Local (pid ${dynamoDb.pid})`
      : dynamoDb.kind === "dynalite"
        ? "dynalite (no Java found)"
        : "external";
  const upload = `s3://${s3.bucket}/todoList.csv`;
  return [
    "The AWS functions of anycloud, on this machine:",
    `  HTTP API      ${url}`,
    ...HTTP_ROUTES.map(
      (route) => `                ${route.method.padEnd(6)} ${route.path}  → ${route.functionName}`,
    ),
    `  Lambda API    ${url}/2015-03-31/functions/<name>/invocations`,
    // The CLI signs every call, so it wants some credentials, and a region that v1 takes only from --region.
    "                AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\",
    `                  aws lambda invoke --region us-east-1 --endpoint-url ${url} --function-name hello out.json`,
    `  S3 (s3rver)   ${s3.endpoint}  bucket ${s3.bucket}  (*.csv → csvImport)`,
    `  DynamoDB      ${dynamoDb.endpoint}  ${store}  tables ${dynamoDb.tables.todos}, ${dynamoDb.tables.imports}`,
    "",
    "Upload a CSV; csvImport imports it and its report is printed here:",
    "  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REQUEST_CHECKSUM_CALCULATION=when_required \\",
    `    aws s3 cp todoList.csv ${upload} --endpoint-url ${s3.endpoint}`,
    `  curl -T todoList.csv ${s3.endpoint}/${s3.bucket}/todoList.csv`,
    "Then list the todos:",
    `  curl ${url}/todos`,
    "",
    "Ready. Ctrl-C stops everything.",
  ].join("\n");
}
