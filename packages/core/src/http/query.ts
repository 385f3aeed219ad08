import { MAX_PAGE_SIZE } from "../todos/use-cases/list-todos.js";
import { InvalidParameterError } from "./http-errors.js";

/** `limit` for a listing: an integer from 1 to 100, or absent. */
export function readLimit(url: URL): number | undefined {
  const text = url.searchParams.get("limit");
  if (text === null) return undefined;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_SIZE) {
    throw new InvalidParameterError("limit", `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return Number(text);
}

export function readCursor(url: URL): string | undefined {
  return url.searchParams.get("cursor") ?? undefined;
}

const QUOTES = { auto: "auto", double: '"', single: "'", '"': '"', "'": "'" } as const;

/** The CSV quote character for an import: `auto` (default), `double`/`"`, `single`/`'`. */
export function readQuote(url: URL): '"' | "'" | "auto" {
  const text = url.searchParams.get("quote") ?? "auto";
  // Own keys only: `quote=__proto__` or `quote=toString` must not find what every object inherits.
  const quote = Object.hasOwn(QUOTES, text) ? QUOTES[text as keyof typeof QUOTES] : undefined;
  if (!quote) throw new InvalidParameterError("quote", "quote must be auto, double or single.");
  return quote;
}
