import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AsyncInvocations, asyncInvocations } from "./async-invocations.js";
import { type FunctionName, HTTP_ROUTES, isFunctionName, matchRoute, safeDecode } from "./functions.js";
import { httpApiEventFrom, responseFromResult, type WireResponse } from "./http-api-event.js";
import {
  EventTooLargeError,
  type LocalLambdas,
  MAX_PAYLOAD_BYTES,
  ResultTooLargeError,
} from "./local-lambdas.js";

/** An HTTP API's own limit on a request's payload. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's limit on an asynchronous invocation's event: 1 MB, where a synchronous one may have 6. */
const MAX_EVENT_INVOCATION_BYTES = 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;

export interface LocalHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves, on 127.0.0.1:`port`, what AWS would in front of the functions:
 * - the HTTP API of serverless.yml: each route's request becomes a payload 2.0 event for its function, whose
 *   result becomes the response; a request no route takes goes to `api`, as serverless.yml's `$default` route
 *   sends it (core answers 405 with Allow, or a problem+json 404); a function that throws is answered 500
 *   `{"message":"Internal Server Error"}` and a result over Lambda's 6 MB 502, as API Gateway does;
 * - Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`), so that any function, `hello`
 *   included, can be invoked directly: `aws lambda invoke --endpoint-url <url> --function-name hello out.json`.
 */
export async function startLocalHttpServer(options: {
  port: number;
  lambdas: LocalLambdas;
  log: (line: string) => void;
  /** Waits before Lambda's two retries of a failed asynchronous invocation (1 and 2 s). */
  retryDelaysMs?: readonly number[];
}): Promise<LocalHttpServer> {
  const { lambdas, log } = options;
  const retryDelaysMs = options.retryDelaysMs ?? [1_000, 2_000];
  const invocations = asyncInvocations({ lambdas, retryDelaysMs, log });
  const server = createServer((request, response) => {
    void respond(request, response, { lambdas, invocations }, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      invocations.close();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

interface Invokers {
  lambdas: LocalLambdas;
  invocations: AsyncInvocations;
}

async function respond(
  request: IncomingMessage,
  response: ServerResponse,
  invokers: Invokers,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  let answer: WireResponse;
  try {
    answer = await serve(request, invokers, log);
  } catch (error) {
    log(`${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
    answer = json(500, { message: "Internal Server Error" });
  }
  try {
    response.writeHead(answer.status, answer.headers).end(answer.body);
  } catch (error) {
    // A result Node cannot send (a header with a line break...): API Gateway answers such a result 502.
    log(
      `${request.method} ${request.url}: the function's result cannot be sent: ${(error as Error).message}`,
    );
    answer = json(502, { message: "Internal Server Error" });
    if (response.headersSent) response.destroy();
    else response.writeHead(answer.status, answer.headers).end(answer.body);
  }
  log(`${request.method} ${request.url} → ${answer.status} in ${Math.round(performance.now() - started)} ms`);
}

async function serve(
  request: IncomingMessage,
  invokers: Invokers,
  log: (line: string) => void,
): Promise<WireResponse> {
  const { lambdas } = invokers;
  const method = request.method ?? "GET";
  const target = request.url ?? "/";
  const invoked = INVOKE_PATH.exec(target);
  const body = await readBody(request);
  if (body === undefined) return json(413, { message: "Request Entity Too Large" });
  // A name that is not valid percent-encoding names no function (404), rather than failing here (a 500 the SDK retries).
  if (invoked && method === "POST") return invokeDirectly(safeDecode(invoked[1]!), request, body, invokers);

  const question = target.indexOf("?");
  const match = matchRoute(method, question === -1 ? target : target.slice(0, question), HTTP_ROUTES);
  const host = request.headers.host ?? `127.0.0.1:${request.socket.localPort}`;
  const event = httpApiEventFrom(
    {
      method,
      target,
      headers: request.headers,
      body,
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      host,
    },
    match,
  );
  try {
    return responseFromResult(await lambdas.invoke(match.route.functionName, event));
  } catch (error) {
    if (error instanceof EventTooLargeError) return json(413, { message: "Request Entity Too Large" });
    // API Gateway's integration failure: the function answered, but Lambda would not pass the answer on.
    if (error instanceof ResultTooLargeError) return json(502, { message: "Internal Server Error" });
    // The caller only learns that the function failed; Lambda's runtime writes why to the function's log (an
    // error its handler threw, or its module's load: a LOG_LEVEL it refuses...), and so does the loop.
    log(`${match.route.functionName} failed: ${(error as Error)?.stack ?? String(error)}`);
    return json(500, { message: "Internal Server Error" });
  }
}

/**
 * Lambda's Invoke API: the body is the event (6 MB at most); `X-Amz-Invocation-Type: Event` answers 202 at once
 * and runs the function as Lambda runs an asynchronous invocation (retried twice if it throws; 1 MB at most),
 * `DryRun` 204 without invoking.
 */
async function invokeDirectly(
  name: string,
  request: IncomingMessage,
  body: Buffer,
  { lambdas, invocations }: Invokers,
): Promise<WireResponse> {
  const short = name.replace(/^.*:function:/, "").replace(/^anycloud-workshop-[\w]+-/, "");
  if (!isFunctionName(short)) {
    return invokeError(404, "ResourceNotFoundException", `Function not found: ${name}`);
  }
  const tooLarge = invokeError(
    413,
    "RequestEntityTooLargeException",
    `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the Invoke operation`,
  );
  if (body.length > MAX_PAYLOAD_BYTES) return tooLarge;
  const type = request.headers["x-amz-invocation-type"];
  // Worded as Lambda's refusal (its limit was 256 KB before, 1 MB now).
  if (type === "Event" && body.length > MAX_EVENT_INVOCATION_BYTES) {
    return invokeError(
      413,
      "RequestEntityTooLargeException",
      `${body.length} byte payload is too large for the Event invocation type (limit ${MAX_EVENT_INVOCATION_BYTES} bytes)`,
    );
  }
  let event: unknown;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return invokeError(400, "InvalidRequestContentException", "Could not parse request body into json");
  }
  // A dry run only checks the request, as Lambda's does: run, csvImport would import the event's uploads.
  if (type === "DryRun") return { status: 204, headers: {}, body: Buffer.alloc(0) };
  if (type === "Event") {
    void invocations.invoke(short as FunctionName, event);
    return { status: 202, headers: {}, body: Buffer.alloc(0) };
  }
  try {
    return json(200, (await lambdas.invoke(short as FunctionName, event)) ?? null);
  } catch (error) {
    if (error instanceof EventTooLargeError) return tooLarge;
    const failure = error instanceof Error ? error : new Error(String(error));
    return {
      ...json(200, {
        errorType: failure.name,
        errorMessage: failure.message,
        trace: failure.stack?.split("\n"),
      }),
      headers: { "content-type": "application/json", "x-amz-function-error": "Unhandled" },
    };
  }
}

/** A refusal of the Invoke API, as Lambda words it: the SDK names its error after `x-amzn-errortype`. */
function invokeError(status: number, errorType: string, message: string): WireResponse {
  return {
    ...json(status, { Type: "User", message }),
    headers: { "content-type": "application/json", "x-amzn-errortype": errorType },
  };
}

/** The body, or undefined when it is over the limit (read to its end all the same, so that an answer can be sent). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function json(status: number, value: unknown): WireResponse {
  return {
    status,
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(value)),
  };
}
