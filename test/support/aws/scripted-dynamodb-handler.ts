import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type HttpHandler, type HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/protocol-http";

/** What the handler does with one BatchWriteItem HTTP request. */
export type BatchWriteAnswer =
  /** Pass it to the stand-in untouched. */
  | "forward"
  /** 400 ProvisionedThroughputExceededException, writing nothing. */
  | "throttle"
  /** 500 InternalServerError, writing nothing. */
  | "server-error"
  /** 400 AccessDeniedException: not retryable, the store as a whole refuses. */
  | "access-denied"
  /** 400 ValidationException, as for an item DynamoDB finds malformed: the whole call is refused. */
  | "validation-error"
  /** Forward only the first half of the items; answer the rest as UnprocessedItems (they are not written). */
  | "hand-back-some"
  /** Write nothing; answer every item as UnprocessedItems. */
  | "hand-back-all";

/**
 * What the handler does with one BatchGetItem HTTP request, when it scripts them: as for a write, and
 * "hand-back-some" answers the first half of the keys and hands the rest back as UnprocessedKeys.
 */
export type GetAnswer = "forward" | "throttle" | "server-error" | "hand-back-some";

/**
 * What the handler does with one Scan request, when it scripts them: "forward" it as it is, or
 * `{ stopAfter: n }`: forward it with a Limit of at most n, so that the stand-in answers at most n items and a
 * LastEvaluatedKey after them, as DynamoDB does when a page reaches 1 MB before its Limit.
 */
export type ScanAnswer = "forward" | { stopAfter: number };

/** One Scan request the handler saw, when it was given a script for them. */
export interface ScanCall {
  /** The Limit the caller asked for. */
  limit: number | undefined;
  answer: ScanAnswer;
  /** How many items the answer held, and whether it had a LastEvaluatedKey. */
  items: number;
  lastEvaluatedKey: boolean;
}

/** A script's answer: now, or later (a test holds the call until it resolves). */
type Scripted<Answer> = Answer | Promise<Answer>;

/** One BatchWriteItem HTTP request the handler saw. */
export interface BatchWriteCall {
  /** The SDK's own attempt number for this call (its `amz-sdk-request` header): above 1 when it retried. */
  sdkAttempt: number;
  ids: string[];
  answer: BatchWriteAnswer;
}

type Forward = DynamoDBClient["config"]["requestHandler"];

/**
 * A `requestHandler` for a DynamoDBClient that sends every request to a real stand-in, except that it answers
 * BatchWriteItem calls as `script` says (and BatchGetItem and Scan calls as `getScript` and `scanScript` do,
 * when given): so the SDK's own retry code and the repository's run for real. A script that answers with a
 * Promise holds its call until the Promise settles, or until the call's `abortSignal` is aborted, which abandons
 * it as the SDK's own handler abandons a request in flight (an `AbortError`).
 * Rewriting a request's body invalidates its signature, which no stand-in checks.
 */
export class ScriptedDynamoDbHandler implements HttpHandler {
  readonly calls: BatchWriteCall[] = [];
  /** The BatchGetItem calls the handler saw, when it was given a script for them. */
  readonly getCalls: { ids: string[]; answer: GetAnswer; consistentRead: boolean }[] = [];
  /** The Scan calls the handler saw, when it was given a script for them. */
  readonly scanCalls: ScanCall[] = [];
  // The calls given to each script so far: their `index` (the calls above are recorded once answered).
  private scripted = { writes: 0, gets: 0 };

  constructor(
    private readonly forward: Forward,
    private readonly script: (call: { ids: string[]; index: number }) => Scripted<BatchWriteAnswer>,
    private readonly getScript?: (call: { ids: string[]; index: number }) => Scripted<GetAnswer>,
    private readonly scanScript?: (call: { limit: number | undefined; index: number }) => ScanAnswer,
  ) {}

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    if (this.getScript && request.headers["x-amz-target"] === "DynamoDB_20120810.BatchGetItem") {
      return this.answerGet(request, options, this.getScript);
    }
    if (this.scanScript && request.headers["x-amz-target"] === "DynamoDB_20120810.Scan") {
      return this.answerScan(request, options, this.scanScript);
    }
    if (request.headers["x-amz-target"] !== "DynamoDB_20120810.BatchWriteItem") {
      return this.forward.handle(request, options);
    }
    const input = JSON.parse(bodyText(request.body)) as { RequestItems: Record<string, unknown[]> };
    const [tableName, writes] = Object.entries(input.RequestItems)[0]!;
    const ids = writes.map(
      (write) => (write as { PutRequest: { Item: { id: { S: string } } } }).PutRequest.Item.id.S,
    );
    const answer = await unlessAborted(this.script({ ids, index: this.scripted.writes++ }), options);
    const sdkAttempt = Number(/attempt=(\d+)/.exec(request.headers["amz-sdk-request"] ?? "")?.[1] ?? 1);
    this.calls.push({ sdkAttempt, ids, answer });

    switch (answer) {
      case "forward":
        return this.forward.handle(request, options);
      case "throttle":
        return errorResponse(
          400,
          "ProvisionedThroughputExceededException",
          "Rate of requests exceeds capacity.",
        );
      case "server-error":
        return errorResponse(500, "InternalServerError", "Internal server error.");
      case "access-denied":
        return errorResponse(400, "AccessDeniedException", "Not authorized to perform BatchWriteItem.");
      case "validation-error":
        return errorResponse(400, "ValidationException", "One or more parameter values were invalid.");
      case "hand-back-all":
        return jsonResponse(200, { UnprocessedItems: { [tableName]: writes } });
      case "hand-back-some": {
        const kept = Math.ceil(writes.length / 2);
        const body = JSON.stringify({ ...input, RequestItems: { [tableName]: writes.slice(0, kept) } });
        const { statusCode, output } = await this.forwardWithBody(request, body, options);
        if (statusCode !== 200) return jsonResponse(statusCode, output);
        return jsonResponse(200, { ...output, UnprocessedItems: { [tableName]: writes.slice(kept) } });
      }
    }
  }

  /** Forwards `request` with another JSON body (part of its items); the stand-in's status and JSON answer. */
  private async forwardWithBody(
    request: HttpRequest,
    body: string,
    options: HttpHandlerOptions | undefined,
  ): Promise<{ statusCode: number; output: Record<string, unknown> }> {
    const trimmed = new HttpRequest({
      ...request,
      headers: { ...request.headers, "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    const { response } = await this.forward.handle(trimmed, options);
    const output = JSON.parse((await readBody(response)).toString("utf8")) as Record<string, unknown>;
    return { statusCode: response.statusCode, output };
  }

  private async answerGet(
    request: HttpRequest,
    options: HttpHandlerOptions | undefined,
    getScript: (call: { ids: string[]; index: number }) => Scripted<GetAnswer>,
  ): Promise<{ response: HttpResponse }> {
    const input = JSON.parse(bodyText(request.body)) as GetRequest;
    const [tableName, read] = Object.entries(input.RequestItems)[0]!;
    const ids = read.Keys.map((key) => key.id.S);
    const answer = await unlessAborted(getScript({ ids, index: this.scripted.gets++ }), options);
    this.getCalls.push({ ids, answer, consistentRead: read.ConsistentRead === true });
    if (answer === "throttle")
      return errorResponse(
        400,
        "ProvisionedThroughputExceededException",
        "Rate of requests exceeds capacity.",
      );
    if (answer === "server-error") return errorResponse(500, "InternalServerError", "Internal server error.");
    if (answer === "forward") return this.forward.handle(request, options);
    const kept = Math.ceil(read.Keys.length / 2);
    const body = JSON.stringify({
      RequestItems: { [tableName]: { ...read, Keys: read.Keys.slice(0, kept) } },
    });
    const { statusCode, output } = await this.forwardWithBody(request, body, options);
    if (statusCode !== 200) return jsonResponse(statusCode, output);
    const unprocessed = { [tableName]: { ...read, Keys: read.Keys.slice(kept) } };
    return jsonResponse(200, { ...output, UnprocessedKeys: unprocessed });
  }

  private async answerScan(
    request: HttpRequest,
    options: HttpHandlerOptions | undefined,
    scanScript: (call: { limit: number | undefined; index: number }) => ScanAnswer,
  ): Promise<{ response: HttpResponse }> {
    const input = JSON.parse(bodyText(request.body)) as { Limit?: number } & Record<string, unknown>;
    const answer = scanScript({ limit: input.Limit, index: this.scanCalls.length });
    const limit =
      answer === "forward"
        ? input.Limit
        : Math.min(answer.stopAfter, input.Limit ?? Number.POSITIVE_INFINITY);
    const { statusCode, output } = await this.forwardWithBody(
      request,
      JSON.stringify({ ...input, Limit: limit }),
      options,
    );
    this.scanCalls.push({
      limit: input.Limit,
      answer,
      items: Array.isArray(output.Items) ? output.Items.length : 0,
      lastEvaluatedKey: output.LastEvaluatedKey !== undefined,
    });
    return jsonResponse(statusCode, output);
  }
}

/** The request items of a BatchGetItem call: one table, its keys and how to read them. */
interface GetRequest {
  RequestItems: Record<string, { Keys: { id: { S: string } }[] } & Record<string, unknown>>;
}

/**
 * A held answer (a Promise), or the `AbortError` the SDK's own handler gives once the call is aborted before it
 * comes; an answer given at once is given as it is.
 */
function unlessAborted<Answer>(
  answer: Scripted<Answer>,
  options: HttpHandlerOptions | undefined,
): Scripted<Answer> {
  const signal = options?.abortSignal as AbortSignal | undefined;
  if (!(answer instanceof Promise) || signal === undefined) return answer;
  return new Promise((resolve, reject) => {
    const abandon = () => {
      const error = new Error("Request aborted");
      error.name = "AbortError";
      reject(error);
    };
    if (signal.aborted) return abandon();
    signal.addEventListener("abort", abandon, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", abandon));
  });
}

/** A small deterministic PRNG (mulberry32), so that a scripted run can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function errorResponse(statusCode: number, type: string, message: string): { response: HttpResponse } {
  return jsonResponse(statusCode, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

function jsonResponse(statusCode: number, body: unknown): { response: HttpResponse } {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  return {
    response: new HttpResponse({
      statusCode,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "content-length": String(bytes.length),
        "x-amzn-requestid": `scripted-${Date.now()}`,
      },
      body: bytes,
    }),
  };
}

/** The JSON text of a request body: the SDK sends bytes (a Uint8Array) or, in older versions, a string. */
function bodyText(body: unknown): string {
  // Decode the bytes directly: Buffer.from would call valueOf, a string method of the SDK's byte adapter.
  return typeof body === "string" ? body : new TextDecoder().decode(body as Uint8Array);
}

async function readBody(response: HttpResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
