import { MAX_PAGE_SIZE } from "../todos/use-cases/list-todos.js";
import { InvalidParameterError } from "./http-errors.js";

/**
 * The one value of query parameter `name`, or null. Sent twice, it is refused: which one counts would depend
 * on who reads it (this API took the first, many proxies take the last).
 */
function single(url: URL, name: string): string | null {
  const values = url.searchParams.getAll(name);
  if (values.length > 1) throw new InvalidParameterError(name, `${name} must be given once.`);
  return values[0] ?? null;
}

/** `limit` for a listing: an integer from 1 to 100 (written without leading zeros), or absent. */
export function readLimit(url: URL): number | undefined {
  const text = single(url, "limit");
  if (text === null) return undefined;
  if (!/^[1-9]\d{0,2}$/.test(text) || Number(text) > MAX_PAGE_SIZE) {
    throw new InvalidParameterError("limit", `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return Number(text);
}

export function readCursor(url: URL): string | undefined {
  return single(url, "cursor") ?? undefined;
}

const QUOTES = { auto: "auto", double: '"', single: "'", '"': '"', "'": "'" } as const;

/** The CSV quote character for an import: `auto` (default), `double`/`"`, `single`/`'`. */
export function readQuote(url: URL): '"' | "'" | "auto" {
  const text = single(url, "quote") ?? "auto";
  // Own keys only: `quote=__proto__` or `quote=toString` must not find what every object inherits.
  const quote = Object.hasOwn(QUOTES, text) ? QUOTES[text as keyof typeof QUOTES] : undefined;
  if (!quote) throw new InvalidParameterError("quote", "quote must be auto, double or single.");
  return quote;
}
