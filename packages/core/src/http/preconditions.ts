import { InvalidParameterError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";

/** A todo's version as an entity tag: version 3 is `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header expects, or `undefined` when there is none or it is `*` (any current
 * version). Only a single strong tag is meaningful for one todo; anything else is refused.
 */
export function expectedVersionFrom(request: HttpRequest): number | undefined {
  const header = request.headers.get("if-match")?.trim();
  if (header === undefined || header === "*") return undefined;
  const match = /^"([1-9]\d{0,15})"$/.exec(header);
  if (!match) throw new InvalidParameterError("If-Match", 'If-Match must be one entity tag such as "3".');
  return Number(match[1]);
}
