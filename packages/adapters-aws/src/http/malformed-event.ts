import { randomUUID } from "node:crypto";
import { AppError } from "@anycloud/core";

/** The Lambda event cannot be read as an HTTP request (HTTP 400): the only error this adapter raises. */
export class MalformedEventError extends AppError {
  readonly code = "MALFORMED_EVENT";
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The 400 problem document for an event that is not an HTTP request, shaped like core's error responses
 * (core does not export its `problemResponse`). The detail names the broken field, never the event's data.
 */
export function malformedEventResponse(error: unknown, context: unknown): Response {
  const detail =
    error instanceof MalformedEventError ? error.message : "The event could not be read as an HTTP request.";
  const awsRequestId = (context as { awsRequestId?: unknown } | undefined)?.awsRequestId;
  const requestId =
    typeof awsRequestId === "string" && REQUEST_ID.test(awsRequestId) ? awsRequestId : randomUUID();
  const problem = {
    type: "urn:anycloud:problem:malformed-event",
    title: "Bad Request",
    status: 400,
    detail,
    code: "MALFORMED_EVENT",
    requestId,
  };
  return new Response(JSON.stringify(problem), {
    status: 400,
    headers: {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-type": "application/problem+json",
      "x-request-id": requestId,
    },
  });
}
