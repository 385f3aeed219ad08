import { randomUUID } from "node:crypto";
import { MAX_RESULT_BYTES } from "@anycloud/adapters-aws/http";
import type { Context } from "aws-lambda";
import { FUNCTIONS, type FunctionName } from "./functions.js";

/** What a Lambda handler module exports. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Lambda refuses a synchronous invocation whose event is larger than this, as JSON. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

// Lambda fails a synchronous invocation whose result is larger than this, as JSON, after the function ran.
export { MAX_RESULT_BYTES };

/** The event is over Lambda's payload limit: the function was not invoked. */
export class EventTooLargeError extends Error {
  override readonly name = "EventTooLargeError";
}

/** The function ran, but its result is over Lambda's payload limit: the caller gets an error, not the result. */
export class ResultTooLargeError extends Error {
  // The errorType Lambda reports.
  override readonly name = "RequestEntityTooLarge";

  constructor(readonly bytes: number) {
    super(`Exceeded maximum allowed payload size (${MAX_RESULT_BYTES} bytes).`);
  }
}

/** Imports the module of a function (its bundle, or its source under a test runner). */
export type LoadFunction = (name: FunctionName) => Promise<{ handler?: unknown }>;

/**
 * Runs the functions as Lambda does, in this process: each module is loaded at the function's first
 * invocation (its cold start; a failed load is tried again next time), then called with the event and a
 * Lambda context. An event over Lambda's 6 MB payload limit is refused, and a result over it fails the
 * invocation; the timeout is not enforced, an invocation that outlasts it is reported instead.
 */
export class LocalLambdas {
  private readonly handlers = new Map<FunctionName, Promise<LambdaHandler>>();
  private readonly inFlight = new Set<{ name: FunctionName; settled: Promise<void> }>();

  constructor(
    private readonly load: LoadFunction,
    private readonly report: (line: string) => void,
    private readonly functionPrefix = "anycloud-workshop-local-",
  ) {}

  /** Invokes function `name` with `event`; resolves to its result, rejects with what it threw. */
  invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const bytes = Buffer.byteLength(JSON.stringify(event) ?? "");
    if (bytes > MAX_PAYLOAD_BYTES) {
      return Promise.reject(
        new EventTooLargeError(`The ${name} event is ${bytes} bytes: over Lambda's 6 MB.`),
      );
    }
    // Off the list before the caller sees the outcome: an invocation that has ended is no longer under way for
    // `idle`, which its own caller asks once it has failed.
    const run = this.run(name, event).finally(() => this.inFlight.delete(invocation));
    const invocation = {
      name,
      settled: run.then(
        () => undefined,
        () => undefined,
      ),
    };
    this.inFlight.add(invocation);
    return run;
  }

  /**
   * A promise of the moment the invocations of `name` under way now have all ended, however they end;
   * undefined when none is under way.
   */
  idle(name: FunctionName): Promise<void> | undefined {
    const running = [...this.inFlight].filter((invocation) => invocation.name === name);
    if (running.length === 0) return undefined;
    return Promise.all(running.map((invocation) => invocation.settled)).then(() => undefined);
  }

  /** Waits for the invocations under way, at most `timeoutMs`; says whether they all finished. */
  async settle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = Promise.all([...this.inFlight].map(({ settled }) => settled)).then(() => true as const);
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(name: FunctionName, event: unknown): Promise<unknown> {
    const handler = await this.handler(name);
    const { timeout, memorySize } = FUNCTIONS[name];
    const started = Date.now();
    const deadline = started + timeout * 1000;
    const functionName = `${this.functionPrefix}${name}`;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? "us-east-1"}:000000000000:function:${functionName}`,
      memoryLimitInMB: String(memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, "")}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    try {
      const result = await handler(event, context);
      const bytes = Buffer.byteLength(JSON.stringify(result) ?? "");
      if (bytes > MAX_RESULT_BYTES) {
        this.report(`${name} returned ${bytes} bytes: over Lambda's 6 MB, AWS would fail the invocation.`);
        throw new ResultTooLargeError(bytes);
      }
      return result;
    } finally {
      if (Date.now() > deadline) {
        this.report(
          `${name} ran ${Date.now() - started} ms: on AWS its ${timeout} s timeout would have stopped it.`,
        );
      }
    }
  }

  private handler(name: FunctionName): Promise<LambdaHandler> {
    let loading = this.handlers.get(name);
    if (loading === undefined) {
      loading = this.load(name).then((module) => {
        if (typeof module.handler !== "function")
          throw new Error(`The module of ${name} exports no handler.`);
        return module.handler as LambdaHandler;
      });
      // Lambda runs the init again after a failed one.
      loading.catch(() => this.handlers.delete(name));
      this.handlers.set(name, loading);
    }
    return loading;
  }
}
