import { Readable } from "node:stream";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { HttpHandler, HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { HttpResponse as Response } from "@smithy/protocol-http";

type Forward = DynamoDBClient["config"]["requestHandler"];

/**
 * How an answer is lost: replaced by a 500 InternalServerError (`"500"`); cut off by a connection reset after
 * its `200` status line came in (`"reset-after-200"`): the SDK then fails reading the body, gives the error
 * the status it saw (200), and retries it as a network error (ECONNRESET); or cut off by a reset before any of
 * it came in (`"reset"`), as when a request times out: an error with no status at all, retried as well. Or never
 * sent (`"refused"`): the connection was refused (ECONNREFUSED), and the call not applied; the SDK retries it.
 */
export type LostAs = "500" | "reset-after-200" | "reset" | "refused";

/**
 * A `requestHandler` for a DynamoDBClient that sends every request to a real stand-in, but loses the answer
 * to the first call of each operation named in `lose` (`"PutItem"`, `"UpdateItem"`...): the call is applied,
 * and the SDK is told 500 InternalServerError instead (or the answer is cut off, `lostAs`), so that it retries
 * a write that already landed. The first call of each operation in `throttle` is not sent at all, and answered
 * as throttled (400), as DynamoDB refuses a call it will not apply: the SDK retries that one too.
 */
export class LostAnswerHandler implements HttpHandler {
  /** Each call seen, as `Operation:outcome`. */
  readonly calls: string[] = [];
  private readonly lost = new Set<string>();

  constructor(
    private readonly forward: Forward,
    private readonly lose: readonly string[],
    private readonly throttle: readonly string[] = [],
    private readonly lostAs: LostAs = "500",
  ) {}

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const operation = String(request.headers["x-amz-target"] ?? "").replace("DynamoDB_20120810.", "");
    if (this.throttle.includes(operation) && !this.lost.has(`throttled ${operation}`)) {
      this.lost.add(`throttled ${operation}`);
      this.calls.push(`${operation}:throttled`);
      return errorAnswer(400, "ProvisionedThroughputExceededException", "Throttled.");
    }
    const losing = this.lose.includes(operation) && !this.lost.has(operation);
    if (losing && this.lostAs === "refused") {
      this.lost.add(operation);
      this.calls.push(`${operation}:refused`);
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED" });
    }
    const answered = await this.forward.handle(request, options);
    if (!losing) {
      this.calls.push(`${operation}:${answered.response.statusCode}`);
      return answered;
    }
    this.lost.add(operation);
    // Read the real answer to its end, so that the connection is free for the retry.
    for await (const _ of answered.response.body as AsyncIterable<Uint8Array>);
    this.calls.push(`${operation}:lost`);
    if (this.lostAs === "reset") throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    if (this.lostAs === "reset-after-200") return resetAnswer(answered.response.headers);
    return errorAnswer(500, "InternalServerError", "Lost.");
  }
}

function errorAnswer(statusCode: number, type: string, message: string): { response: HttpResponse } {
  const body = Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
  return {
    response: new Response({
      statusCode,
      headers: { "content-type": "application/x-amz-json-1.0", "content-length": String(body.length) },
      body,
    }),
  };
}

/** A 200 whose body breaks off with a connection reset, as a socket closed mid-answer does in Node. */
function resetAnswer(headers: Record<string, string>): { response: HttpResponse } {
  const body = new Readable({
    read() {
      this.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    },
  });
  return { response: new Response({ statusCode: 200, headers, body }) };
}
