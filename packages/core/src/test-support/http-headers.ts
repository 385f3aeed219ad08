import type { HttpHeaders } from "../http/http-request.js";

/**
 * Headers as a runtime hands them to core: looked up by any case, in the order given, values as they came (fetch's
 * `Headers` would trim them), a repeated name's values joined with ", ".
 */
export function headersOf(entries: Iterable<readonly [string, string]>): HttpHeaders {
  const values = new Map<string, string>();
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    const existing = values.get(key);
    values.set(key, existing === undefined ? value : `${existing}, ${value}`);
  }
  return { get: (name) => values.get(name.toLowerCase()) ?? null, [Symbol.iterator]: () => values.entries() };
}
