import { InvalidCursorError } from "@anycloud/core";

// DynamoDB's limit on a partition key value; anything longer could never have been issued.
const MAX_KEY_BYTES = 2048;

/** The cursor after the todo `id`: its table key, `{"id":"…"}`, which a Scan takes as `ExclusiveStartKey`. */
export function encodeScanCursor(id: string): string {
  return JSON.stringify({ id });
}

/**
 * The id a cursor from `encodeScanCursor` resumes after. Anything else throws `InvalidCursorError`, so that
 * a forged cursor never reaches DynamoDB as a malformed `ExclusiveStartKey` (a 400 from the store that would
 * otherwise surface as "store unavailable").
 */
export function decodeScanCursor(cursor: string): string {
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidCursorError();
  const keys = Object.keys(value);
  const id = (value as { id?: unknown }).id;
  if (keys.length !== 1 || keys[0] !== "id" || typeof id !== "string") throw new InvalidCursorError();
  if (id.length === 0 || Buffer.byteLength(id, "utf8") > MAX_KEY_BYTES) throw new InvalidCursorError();
  return id;
}
