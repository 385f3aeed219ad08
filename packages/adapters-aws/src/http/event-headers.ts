import type { HttpHeaders } from "@anycloud/core";
import { MalformedEventError } from "./malformed-event.js";

// RFC 9110: a field name, like a method, is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Fetch trims tabs, line feeds, carriage returns and spaces from both ends of a value, then refuses a NUL, CR
// or LF left inside, or a character that is not a byte (above U+00FF).
const NOT_IN_VALUE = /[\0\n\r\u0100-\uffff]/;

/** Whether `value` is an RFC 9110 token: what a field name and a method must be. */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * An event's request headers as core reads them, and as fetch's `Headers` would show them, without building
 * one: names lower-cased, repeated values joined with `, ` (`cookie` with `; `, as a browser sends them), names
 * and values checked as fetch checks them, so that an event fetch would refuse is refused here too.
 */
export class EventHeaders implements HttpHeaders {
  private readonly values = new Map<string, string>();

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  /** Adds a value of the event; absent ones (undefined, null) are skipped, and any other non-string refused. */
  append(name: string, value: unknown): void {
    if (value === undefined || value === null) return;
    const key = fieldName(name);
    const normalised = fieldValue(value);
    const existing = this.values.get(key);
    if (existing === undefined) this.values.set(key, normalised);
    else this.values.set(key, `${existing}${key === "cookie" ? "; " : ", "}${normalised}`);
  }

  /** Replaces every value of `name`. */
  set(name: string, value: string): void {
    this.values.set(fieldName(name), fieldValue(value));
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

function fieldName(name: string): string {
  if (!TOKEN.test(name)) throw new MalformedEventError("A header name is not a valid field name.");
  return name.toLowerCase();
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * `value` without whitespace at either end, in one pass: a regular expression for the end
 * (`/[\t\n\r ]+$/g`) tries again at every character of an inner run, and a 100 kB run of spaces in a
 * directly invoked event took 12 s.
 */
function trimmed(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isWhitespace(value.charCodeAt(start))) start += 1;
  while (end > start && isWhitespace(value.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function fieldValue(value: unknown): string {
  if (typeof value !== "string") throw new MalformedEventError("A header value is not a string.");
  const result = trimmed(value);
  if (NOT_IN_VALUE.test(result)) {
    throw new MalformedEventError(
      "A header value holds a line break, a NUL or a character that is not a byte.",
    );
  }
  return result;
}
