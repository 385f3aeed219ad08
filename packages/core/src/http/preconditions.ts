import type { VersionPreconditions } from "../todos/todo.js";
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
 * The version an entity tag names, as a list of one (or none, for `flatMap`). Past 2^53 - 1 (which no version
 * reaches: a body's `version` stops there too) a number is not read exactly: `"9007199254740993"` would be read as
 * version 9007199254740992.
 */
function versionIn(tag: string): number[] {
  const version = VERSION.test(tag) ? Number(tag) : Number.NaN;
  return Number.isSafeInteger(version) ? [version] : [];
}

/**
 * The preconditions on a todo's version that a request's `If-Match` and `If-None-Match` make. A header that is no
 * entity-tag list is refused (400); with `ignoreMalformed`, it is read as absent, and the other one still counts.
 */
export function versionPreconditionsFrom(
  request: HttpRequest,
  { ignoreMalformed = false }: { ignoreMalformed?: boolean } = {},
): VersionPreconditions {
  const read = <T>(header: (request: HttpRequest) => T): T | undefined => {
    try {
      return header(request);
    } catch (error) {
      if (ignoreMalformed && error instanceof InvalidParameterError) return undefined;
      throw error;
    }
  };
  const acceptedVersions = read(expectedVersionsFrom);
  const refusedVersions = read(refusedVersionsFrom);
  return {
    ...(acceptedVersions !== undefined && { acceptedVersions }),
    ...(refusedVersions !== undefined && { refusedVersions }),
  };
}

/** Whether the request carries a precondition on the todo's version (`If-Match` or `If-None-Match`). */
export function hasVersionPrecondition(request: HttpRequest): boolean {
  return request.headers.get("if-match") !== null || request.headers.get("if-none-match") !== null;
}

/**
 * The versions an `If-Match` header accepts, or `undefined` when there is none or it is `*` (any current
 * version). Per RFC 9110 §13.1.1, If-Match compares strongly: a weak tag (`W/"3"`), which a proxy may have
 * made of ours, matches no version, and neither does a tag we never issued; an empty array means that the
 * precondition cannot hold (412). A header that is not an entity-tag list is refused (400).
 */
function expectedVersionsFrom(request: HttpRequest): number[] | undefined {
  const header = request.headers.get("if-match")?.trim();
  if (header === undefined || header === "*") return undefined;
  return entityTagsIn(header, "If-Match").flatMap(({ weak, tag }) => (weak ? [] : versionIn(tag)));
}

/**
 * The versions an `If-None-Match` header refuses, `"*"` for any (the todo must not exist), or `undefined` when
 * there is none. Per RFC 9110 §13.1.2, If-None-Match compares weakly: `W/"3"` names version 3 as `"3"` does.
 * A header that is not an entity-tag list is refused (400), as a malformed If-Match is.
 */
function refusedVersionsFrom(request: HttpRequest): number[] | "*" | undefined {
  const header = request.headers.get("if-none-match")?.trim();
  if (header === undefined) return undefined;
  if (header === "*") return "*";
  return entityTagsIn(header, "If-None-Match").flatMap(({ tag }) => versionIn(tag));
}

/** The entity tags of a list header (`name` says which, for the 400 of one that is no such list). */
function entityTagsIn(header: string, name: string): { weak: boolean; tag: string }[] {
  const tags: { weak: boolean; tag: string }[] = [];
  LIST_ELEMENT.lastIndex = 0;
  while (LIST_ELEMENT.lastIndex < header.length) {
    const at = LIST_ELEMENT.lastIndex;
    const element = LIST_ELEMENT.exec(header);
    if (!element || LIST_ELEMENT.lastIndex === at) throw malformed(name);
    const [, weak, tag] = element;
    if (tag !== undefined) tags.push({ weak: weak !== undefined, tag });
  }
  if (tags.length === 0) throw malformed(name);
  return tags;
}

function malformed(name: string): InvalidParameterError {
  return new InvalidParameterError(name, `${name} must be "*" or entity tags such as "3".`);
}
