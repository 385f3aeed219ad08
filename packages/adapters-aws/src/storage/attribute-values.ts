// The few DynamoDB attribute types these tables use (S, N, BOOL, NULL), marshalled by hand: a todo has eight
// flat fields, so a general marshaller would only add weight to every cold start.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** A DynamoDB item: attribute name → value. */
export type Item = Record<string, AttributeValue>;

export function stringValue(value: string): AttributeValue {
  if (typeof value !== "string") throw new TypeError("Expected a string.");
  return { S: value };
}

export function nullableString(value: string | null): AttributeValue {
  return value === null ? { NULL: true } : stringValue(value);
}

export function integerValue(value: number): AttributeValue {
  if (!Number.isSafeInteger(value)) throw new TypeError("Expected a whole number.");
  return { N: String(value) };
}

export function booleanValue(value: boolean): AttributeValue {
  if (typeof value !== "boolean") throw new TypeError("Expected a boolean.");
  return { BOOL: value };
}

/** Reads attribute `name` as a string; throws when the stored item does not hold one there. */
export function readString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new TypeError(`The stored item has no string ${name}.`);
  return value;
}

export function readNullableString(item: Item, name: string): string | null {
  const attribute = item[name];
  return attribute === undefined || attribute.NULL === true ? null : readString(item, name);
}

export function readInteger(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isSafeInteger(value)) throw new TypeError(`The stored item has no whole number ${name}.`);
  return value;
}

export function readBoolean(item: Item, name: string): boolean {
  const value = item[name]?.BOOL;
  if (value === undefined) throw new TypeError(`The stored item has no boolean ${name}.`);
  return value;
}

/** DynamoDB's own limit on one item: names and values, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An upper bound of the item's size as DynamoDB counts it: UTF-8 bytes of every name and string value, at
 * most 21 bytes per number, 1 byte per boolean or null.
 */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, "utf8");
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S, "utf8");
    else if (value.N !== undefined) bytes += 21;
    else bytes += 1;
  }
  return bytes;
}
