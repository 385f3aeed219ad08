import { hash, randomUUID } from "node:crypto";
import type { ObjectRef } from "./ports/object-source.js";

/**
 * The UUID namespace of import ids. Fixed forever: changing it would give every object a new import id, and
 * so every imported todo a new id, and a redelivered event would import its file a second time.
 */
export const IMPORT_ID_NAMESPACE = "0b6c4f1e-9a57-4d2b-8e3c-5f7a1d9c2b64";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The RFC 9562 variant bits (10xx) over the hex digit at the start of the ninth byte.
const VARIANT_DIGIT = "89ab89ab89ab89ab";
const MAX_NAME_BYTES = 4096;
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * The id of importing one object version: a UUIDv5 of `container\nkey\nversion`, so that every delivery of
 * the same object version gets the same id. The version comes from the ref or, failing that, from what the
 * store served. Without a version the import cannot be recognised again, and the id is random.
 *
 * @example
 * importIdOf({ container: "uploads", key: "todos.csv", version: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" });
 */
export function importIdOf(ref: ObjectRef, served?: { version?: string }): string {
  const version = ref.version ?? served?.version;
  if (version === undefined) return randomUUID();
  return uuidV5(IMPORT_ID_NAMESPACE, `${ref.container}\n${ref.key}\n${version}`);
}

/**
 * The id of the todo imported from the record starting at `line` (the header is line 1): a UUIDv5 in the
 * import's namespace, so that importing the same file again writes the same todos.
 */
export function deriveTodoId(importId: string, line: number): string {
  return todoIdsFor(importId)(line);
}

/** `deriveTodoId` for one import, with the namespace parsed once and no allocation but the id: the hot path. */
export function todoIdsFor(importId: string): (line: number) => string {
  const input = Buffer.alloc(16 + MAX_SAFE_DIGITS);
  namespaceBytes(importId).copy(input, 0);
  // One view per name length, made once: a view per row would cost more than the hash.
  const views = Array.from({ length: MAX_SAFE_DIGITS + 1 }, (_, digits) => input.subarray(0, 16 + digits));
  return (line) => {
    if (!Number.isSafeInteger(line) || line < 1) throw new RangeError(`Not a line number: ${line}`);
    let digits = 1;
    for (let rest = line; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
    for (let rest = line, at = 16 + digits - 1; at >= 16; at -= 1, rest = Math.floor(rest / 10)) {
      input[at] = 0x30 + (rest % 10);
    }
    return uuidFromSha1(hash("sha1", views[digits]!, "hex"));
  };
}

/** A name-based UUID (RFC 9562 version 5: SHA-1 over the namespace's 16 bytes and the name's UTF-8). */
export function uuidV5(namespace: string, name: string): string {
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length > MAX_NAME_BYTES) throw new RangeError("A UUIDv5 name is limited to 4 KiB here.");
  return uuidFromSha1(hash("sha1", Buffer.concat([namespaceBytes(namespace), nameBytes]), "hex"));
}

function namespaceBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new TypeError(`Not a UUID: ${uuid}`);
  return Buffer.from(uuid.replaceAll("-", ""), "hex");
}

function uuidFromSha1(hex: string): string {
  const variant = VARIANT_DIGIT[Number.parseInt(hex[16]!, 16)]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
