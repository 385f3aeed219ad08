import { InvalidParameterError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";

/** A todo's version as an entity tag: version 3 is `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

// One element of an entity-tag list (RFC 9110 §8.8.3): optional `W/`, then a quoted opaque tag, which may
// hold commas; then the list's comma, or its end.
const LIST_ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*)?(?:,|$)/y;
const VERSION = /^[1-9]\d{0,15}$/;

/**
 * The versions an `If-Match` header accepts, or `undefined` when there is none or it is `*` (any current
 * version). Per RFC 9110 §13.1.1, If-Match compares strongly: a weak tag (`W/"3"`), which a proxy may have
 * made of ours, matches no version, and neither does a tag we never issued; an empty array means that the
 * precondition cannot hold (412). A header that is not an entity-tag list is refused (400).
 */
export function expectedVersionsFrom(request: HttpRequest): number[] | undefined {
  const header = request.headers.get("if-match")?.trim();
  if (header === undefined || header === "*") return undefined;
  const versions: number[] = [];
  let tags = 0;
  LIST_ELEMENT.lastIndex = 0;
  while (LIST_ELEMENT.lastIndex < header.length) {
    const at = LIST_ELEMENT.lastIndex;
    const element = LIST_ELEMENT.exec(header);
    if (!element || LIST_ELEMENT.lastIndex === at) throw malformed();
    const [, weak, tag] = element;
    if (tag === undefined) continue;
    tags += 1;
    if (!weak && VERSION.test(tag)) versions.push(Number(tag));
  }
  if (tags === 0) throw malformed();
  return versions;
}

function malformed(): InvalidParameterError {
  return new InvalidParameterError("If-Match", 'If-Match must be "*" or entity tags such as "3".');
}
