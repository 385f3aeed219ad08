import { AppError, type Reply, requestIdFrom, standaloneErrorReply } from "@anycloud/core";
import { awsRequestIdOf } from "./aws-request-id.js";

/** The Lambda event cannot be read as an HTTP request (HTTP 400): the only error this adapter raises. */
export class MalformedEventError extends AppError {
  override readonly name: string = "MalformedEventError";
  readonly code = "MALFORMED_EVENT";
}

/**
 * The 400 problem reply for an event that is not an HTTP request, from core's one error table, with the
 * headers core's replies carry and the Lambda request id as request id. The detail names the broken field,
 * never the event's data.
 */
export function malformedEventReply(error: unknown, context: unknown): Reply {
  const malformed =
    error instanceof MalformedEventError
      ? error
      : new MalformedEventError("The event could not be read as an HTTP request.", { cause: error });
  return standaloneErrorReply(malformed, requestIdFrom(awsRequestIdOf(context)));
}
