import { randomUUID } from "node:crypto";
import { AppError, BASE_HEADERS, isWellFormedKey, problemReply, type Reply } from "@anycloud/core";

/** The Lambda event cannot be read as an HTTP request (HTTP 400): the only error this adapter raises. */
export class MalformedEventError extends AppError {
  readonly code = "MALFORMED_EVENT";
}

/**
 * The 400 problem document for an event that is not an HTTP request, shaped like core's error replies, with
 * the headers core's replies carry and the Lambda request id as request id. The detail names the broken
 * field, never the event's data.
 */
export function malformedEventReply(error: unknown, context: unknown): Reply {
  const detail =
    error instanceof MalformedEventError ? error.message : "The event could not be read as an HTTP request.";
  const awsRequestId = awsRequestIdOf(context);
  const requestId = awsRequestId !== undefined && isWellFormedKey(awsRequestId) ? awsRequestId : randomUUID();
  const problem = {
    type: "urn:anycloud:problem:malformed-event",
    title: "Bad Request",
    status: 400,
    detail,
    code: "MALFORMED_EVENT",
    requestId,
  };
  // problem+json, no-store, nosniff and the request id: what core's own problem replies carry.
  return problemReply(problem, { ...BASE_HEADERS, "x-request-id": requestId });
}

/** The `awsRequestId` of a Lambda context, when there is one. */
export function awsRequestIdOf(context: unknown): string | undefined {
  const awsRequestId = (context as { awsRequestId?: unknown } | undefined)?.awsRequestId;
  return typeof awsRequestId === "string" ? awsRequestId : undefined;
}
