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

/**
 * The id of importing one object version: a UUIDv5 of `container\nkey\nversion`, so that every delivery of
 * the same object version gets the same id (ImportTodos puts the version the store served in the ref when the
 * event had none). Without a version the import cannot be recognised again, and the id is random.
 *
 * @example
 * importIdOf({ container: "uploads", key: "todos.csv", version: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" });
 */
export function importIdOf(ref: ObjectRef): string {
  if (ref.version === undefined) return randomUUID();
  return uuidV5(IMPORT_ID_NAMESPACE, `${ref.container}\n${ref.key}\n${ref.version}`);
}

/** Line numbers go in an imported todo id's last 12 hex digits. */
const MAX_LINE = 16 ** 12 - 1;

/**
 * The id of the todo imported from the record starting at `line` (the header is line 1): a UUIDv8 (RFC 9562's
 * custom version) made of the import's id, with the line number in its last 12 hex digits. Importing the same
 * file again writes the same todos; and since an import stamps all its todos with one `createdAt`, listings
 * ordered by `createdAt` then `id` give them in the file's order.
 *
 * The 74 bits kept from the import id (itself a hash of the source, or random) tell imports apart; two
 * imports' todos could meet only if their import ids agreed in all of them. The version digit, 8, keeps
 * imported ids apart from the random (version 4) ids of todos created over HTTP.
 *
 * @example
 * deriveTodoId("96c3de8a-49c0-56e3-8484-7d6956ab10bd", 2); // "96c3de8a-49c0-86e3-8484-000000000002"
 */
export function deriveTodoId(importId: string, line: number): string {
  return todoIdsFor(importId)(line);
}

/** `deriveTodoId` for one import, with the import id checked once: the hot path. */
export function todoIdsFor(importId: string): (line: number) => string {
  if (!UUID.test(importId)) throw new TypeError(`Not a UUID: ${importId}`);
  const id = importId.toLowerCase();
  // The RFC 9562 variant (10xx) over the import id's own variant digit, whatever UUID it is.
  const variant = VARIANT_DIGIT[Number.parseInt(id[19]!, 16)]!;
  const prefix = `${id.slice(0, 14)}8${id.slice(15, 19)}${variant}${id.slice(20, 24)}`;
  return (line) => {
    if (!Number.isSafeInteger(line) || line < 1 || line > MAX_LINE) {
      throw new RangeError(`Not a line number: ${line}`);
    }
    return prefix + line.toString(16).padStart(12, "0");
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
