import { AsyncLocalStorage } from "node:async_hooks";
import { ClientRequest } from "node:http";
import type { FunctionName } from "@anycloud/aws/local";

/** One HTTP request a function's code sent, as it left the process. */
export interface FunctionRequest {
  functionName: FunctionName;
  method: string;
  /** Path and query string, as sent (encoded). */
  path: string;
  /** Lower-case names, as Node keeps them: `host`, `x-amz-target`... */
  headers: Record<string, string>;
  /** A body sent in one piece, as text (DynamoDB's JSON); undefined when streamed or empty. */
  body: string | undefined;
}

/**
 * Records the HTTP requests each function's code sends while it runs, whatever client sends them: every
 * SDK client (and anything else on node:http or node:https) ends its requests with `ClientRequest#end`,
 * which this wraps until `stop`. `as(name, handler)` marks the calls of a handler as function `name`'s: the
 * mark follows its asynchronous work (AsyncLocalStorage), so concurrent invocations are told apart, and
 * requests made outside any (the test's own set-up) are not recorded.
 */
export function recordFunctionRequests() {
  const running = new AsyncLocalStorage<FunctionName>();
  const requests: FunctionRequest[] = [];
  const invocations = new Map<FunctionName, number>();
  const end = ClientRequest.prototype.end;

  // The SDK's node handler sends a body it holds whole (DynamoDB's JSON) as end's first argument; a streamed
  // one (an S3 upload) is piped in before, and not kept here.
  ClientRequest.prototype.end = function recordedEnd(this: ClientRequest, ...args: unknown[]) {
    const functionName = running.getStore();
    if (functionName !== undefined) requests.push(snapshotOf(functionName, this, args[0]));
    return (end as (...args: unknown[]) => ClientRequest).apply(this, args);
  } as typeof end;

  return {
    /** `handler`, its invocations counted and its requests recorded as function `name`'s. */
    as<A extends unknown[], R>(name: FunctionName, handler: (...args: A) => R): (...args: A) => R {
      return (...args) => {
        invocations.set(name, (invocations.get(name) ?? 0) + 1);
        return running.run(name, handler, ...args);
      };
    },
    requests: (): readonly FunctionRequest[] => requests,
    invocations: (name: FunctionName): number => invocations.get(name) ?? 0,
    stop(): void {
      ClientRequest.prototype.end = end;
    },
  };
}

function snapshotOf(functionName: FunctionName, request: ClientRequest, chunk: unknown): FunctionRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.getHeaders())) headers[name] = String(value);
  const body =
    typeof chunk === "string"
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk).toString()
        : undefined;
  return { functionName, method: request.method, path: request.path, headers, body };
}
