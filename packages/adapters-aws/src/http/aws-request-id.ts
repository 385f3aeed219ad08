/** The `awsRequestId` of a Lambda context, when there is one: the id Lambda's own log lines carry. */
export function awsRequestIdOf(context: unknown): string | undefined {
  const awsRequestId = (context as { awsRequestId?: unknown } | undefined)?.awsRequestId;
  return typeof awsRequestId === "string" ? awsRequestId : undefined;
}
