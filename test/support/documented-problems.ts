import { readFileSync } from "node:fs";

/**
 * The problem codes the README's error table documents for each status (its rows read
 * `| 400 | `MALFORMED_JSON`, `INVALID_ID` | when |`, codes alone in the second column): a test that checks an
 * answer's code against these fails when the code answered is not the one documented, or the table has lost a
 * code that is still answered. Read from the README on purpose, by package tests too: the table is what users
 * are told, and it must not drift from what they get.
 */
export function documentedProblemCodes(): Record<number, readonly string[]> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const codes: Record<number, string[]> = {};
  for (const [, status, listed] of readme.matchAll(/^\| (\d{3}) \| ([^|]+) \|/gm)) {
    codes[Number(status)] = [...listed!.matchAll(/`([A-Z_]+)`/g)].map(([, code]) => code!);
  }
  if (Object.keys(codes).length === 0)
    throw new Error("README.md has no error table of `| status | codes |` rows.");
  return codes;
}
