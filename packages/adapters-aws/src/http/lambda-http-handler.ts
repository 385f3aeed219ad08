import {
  createJsonLogger,
  type FetchApi,
  type HttpApi,
  type HttpRequest,
  httpApiOf,
  type Logger,
  type Reply,
  requestIdFrom,
  standaloneErrorReply,
  withSignalOnDemand,
} from "@anycloud/core";
import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type TimeLimit, timeLimitOf } from "../lambda/time-limit.js";
import { awsRequestIdOf } from "./aws-request-id.js";
import { boundedFetchApi, ReplyTooLargeError } from "./bounded-fetch-api.js";
import { type EventRecord, type EventRequest, isRecord, normaliseBasePath } from "./event-request.js";
import type { HandlerSettings } from "./handler-settings.js";
import { requestFromPayloadV2, resultForPayloadV2 } from "./http-api-event.js";
import { MalformedEventError, malformedEventReply } from "./malformed-event.js";
import { binaryTest } from "./response-body.js";
import { requestFromPayloadV1, resultForPayloadV1 } from "./rest-api-event.js";
import { MAX_RESULT_BYTES, oversizeBytesOf } from "./result-limit.js";

export interface LambdaHttpOptions {
  /**
   * A base path mapping of a custom domain (`/api` for `https://example.com/api/todos`), removed from the
   * path before core sees it. The stage of an `execute-api` URL is removed without it. Either is put back in
   * front of the paths core answers in `Location`, `Content-Location` and `Link` (`/todos/1` → `/api/todos/1`).
   */
  basePath?: string;
  /**
   * Media types whose response bodies are always sent base64-encoded (`image/png`, `image/*`, `*\/*`), on top
   * of every type that is not text (and of a text body that is not UTF-8). HTTP APIs and Function URLs decode
   * such a body for the client; a REST API does only when the client's first `Accept` type is in its own
   * `binaryMediaTypes` setting (not the reply's type), else the client gets the base64 text: AWS advises
   * `*\/*` there where clients' `Accept` headers cannot be chosen.
   */
  binaryMediaTypes?: string[];
  /** Where the handler says what went wrong in its own work (a reply too large to send); JSON lines by default. */
  logger?: Logger;
}

export type LambdaHttpResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2;

/** A Lambda handler for HTTP events: API Gateway REST (payload 1.0), HTTP APIs (1.0 or 2.0), Function URLs. */
export type LambdaHttpHandler = (event: unknown, context?: unknown) => Promise<LambdaHttpResult>;

interface PayloadFormat {
  toRequest(event: EventRecord, settings: HandlerSettings): EventRequest;
  toResult(reply: Reply, method: string, settings: HandlerSettings, pathPrefix?: string): LambdaHttpResult;
}

const PAYLOAD_V1: PayloadFormat = { toRequest: requestFromPayloadV1, toResult: resultForPayloadV1 };
const PAYLOAD_V2: PayloadFormat = { toRequest: requestFromPayloadV2, toResult: resultForPayloadV2 };
const NOT_AN_OBJECT: EventRecord = {};

/**
 * Runs an HTTP API behind Lambda's HTTP events: picks the translator for the event's payload format, has the
 * API handle the request read from the event, and answers its reply in the same format. An event that is not
 * an HTTP request is answered 400 `MALFORMED_EVENT`, never thrown.
 *
 * Core's APIs (`createTodoApi`, `createHelloApi`) are served through their `handle`, so that no `Request`,
 * `Response` or `Headers` is built (nor undici loaded, at cold start). Any other fetch-style function (Hono,
 * your own) is served through `httpApiOf`, which builds them; its response body is read no further than a
 * Lambda result can hold (a longer one is answered 500), and not at all for HEAD.
 *
 * @example
 * const api = createTodoApi({ todos, imports });
 * export const handler = createLambdaHttpHandler(api, { basePath: "/v1" });
 */
export function createLambdaHttpHandler(
  api: FetchApi | HttpApi,
  options: LambdaHttpOptions = {},
): LambdaHttpHandler {
  const httpApi = isHttpApi(api) ? api : httpApiOf(boundedFetchApi(api, MAX_RESULT_BYTES));
  const settings: HandlerSettings = {
    basePath: normaliseBasePath(options.basePath),
    isBinary: binaryTest(options.binaryMediaTypes),
  };
  const logger = options.logger ?? createJsonLogger("warn");
  return async function handleHttpEvent(event: unknown, context?: unknown): Promise<LambdaHttpResult> {
    const record = isRecord(event) ? event : NOT_AN_OBJECT;
    const format = record.version === "2.0" ? PAYLOAD_V2 : PAYLOAD_V1;
    let request: HttpRequest;
    let pathPrefix: string;
    try {
      if (record === NOT_AN_OBJECT) throw new MalformedEventError("The event is not an object.");
      ({ request, pathPrefix } = format.toRequest(record, settings));
    } catch (error) {
      // Anything that fails while reading the event is the event's fault.
      return format.toResult(malformedEventReply(error, context), headOrGet(record, format), settings);
    }
    // Lambda's id for the invocation, which its own log lines carry (START RequestId: ...), becomes the
    // request's id unless the client sent one.
    const awsRequestId = awsRequestIdOf(context);
    if (awsRequestId !== undefined) request = { ...request, requestId: awsRequestId };
    // An import still running 3 s before the function's timeout (half-way through a timeout of 6 s or less) is
    // stopped, recorded FAILED and answered 503.
    // The timer is armed when the import first reads the signal: other requests never do, and pay nothing.
    let timeLimit: TimeLimit | undefined;
    const limited = withSignalOnDemand(request, () => {
      timeLimit ??= timeLimitOf(context);
      return timeLimit?.signal;
    });
    let reply: Reply;
    try {
      reply = await httpApi.handle(limited);
    } catch (error) {
      // A fetch-style API's body past the limit: no byte count, its reading stopped there.
      if (!(error instanceof ReplyTooLargeError)) throw error;
      return tooLarge({ status: error.status }, undefined);
    } finally {
      timeLimit?.clear();
    }
    // Core's paths (`Location: /todos/1`) get back the stage or base path removed from the event's.
    const result = format.toResult(reply, request.method, settings, pathPrefix);
    const oversize = oversizeBytesOf(result);
    return oversize === undefined ? result : tooLarge(reply, oversize);

    /**
     * Lambda would fail the invocation and API Gateway answer a bare 502: a 500 with the request's id instead,
     * and a line that says why.
     */
    function tooLarge(answered: Pick<Reply, "status" | "headers">, resultBytes: number | undefined) {
      const answeredId = answered.headers?.["x-request-id"];
      const requestId = requestIdFrom(
        typeof answeredId === "string" ? answeredId : undefined,
        request.requestId,
      );
      logger.error("The reply is too large for a Lambda result: answered 500 instead.", {
        requestId,
        status: answered.status,
        ...(resultBytes !== undefined && { resultBytes }),
        maxBytes: MAX_RESULT_BYTES,
      });
      return format.toResult(
        standaloneErrorReply(new Error("reply too large"), requestId),
        request.method,
        settings,
      );
    }
  };
}

/** "HEAD" when the event, however malformed, asks for HEAD (its answer has no body); "GET" otherwise. */
function headOrGet(event: EventRecord, format: PayloadFormat): string {
  const context = isRecord(event.requestContext) ? event.requestContext : {};
  const method =
    format === PAYLOAD_V2 ? (isRecord(context.http) ? context.http.method : undefined) : event.httpMethod;
  return typeof method === "string" && method.toUpperCase() === "HEAD" ? "HEAD" : "GET";
}

function isHttpApi(api: FetchApi | HttpApi): api is HttpApi {
  return typeof (api as Partial<HttpApi>).handle === "function";
}
