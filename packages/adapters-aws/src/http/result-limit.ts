/**
 * Lambda's limit on a synchronous invocation's response, measured on the result's JSON (its error reads
 * "Exceeded maximum allowed payload size (6291556 bytes)"). Over it the invocation fails, and API Gateway
 * answers a bare 502 that says nothing of why.
 */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024 + 100;

// Room for the status, the headers and the JSON around the body.
const ENVELOPE_BYTES = 64 * 1024;

/** The size of a result's JSON when it may be over `MAX_RESULT_BYTES`; undefined when it cannot be. */
export function oversizeBytesOf(result: { body?: string }): number | undefined {
  // JSON escapes a character in at most 6 bytes (`\u0000`): a shorter body cannot come near the limit, and is
  // not serialized a second time to find out.
  if ((result.body?.length ?? 0) * 6 <= MAX_RESULT_BYTES - ENVELOPE_BYTES) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(result));
  return bytes > MAX_RESULT_BYTES ? bytes : undefined;
}
