import type { ImportEntry, ImportLedger, QuoteChar } from "@anycloud/core";
import { LOCAL_FILES } from "../files/local-file-object-source.js";
import { STANDARD_INPUT } from "./standard-input.js";

/**
 * The fingerprint `todo import` records its `--quote` in: the same bytes read with other quotes are other rows,
 * and core refuses a run whose fingerprint is not the one recorded.
 */
export function quoteFingerprint(quote: QuoteChar | "auto"): string {
  return `quote=${quote}`;
}

/** The quote a `quoteFingerprint` names (`"'"` for `quote='`), or undefined for any other fingerprint. */
export function quoteOfFingerprint(fingerprint: string | undefined): string | undefined {
  return fingerprint?.startsWith("quote=") ? fingerprint.slice("quote=".length) : undefined;
}

/** The sources only `todo import` records: a file's or standard input's. Any other is an S3 object's. */
const OWN_CONTAINERS: ReadonlySet<string> = new Set([LOCAL_FILES, STANDARD_INPUT]);

/**
 * `ledger`, with an S3 object's import recorded without a fingerprint answered as read with `--quote auto`. The
 * S3 trigger records none, and reads every object with the quote found by itself; core takes an entry without
 * one for the same reading as any, and `todo import s3://… --quote single` would go on from the trigger's
 * checkpoint with other quotes: the rows before it rejected though stored, those after it read otherwise or
 * refused, and the import COMPLETED with them missing.
 */
export function withTriggerQuotes(ledger: ImportLedger): ImportLedger {
  return {
    claim: async (claim) => {
      const result = await ledger.claim(claim);
      return { ...result, entry: asRead(result.entry) };
    },
    renew: (...args) => ledger.renew(...args),
    finish: (...args) => ledger.finish(...args),
    get: async (importId) => {
      const entry = await ledger.get(importId);
      return entry && asRead(entry);
    },
  };
}

function asRead(entry: ImportEntry): ImportEntry {
  const { source } = entry;
  if (source.fingerprint !== undefined || OWN_CONTAINERS.has(source.container)) return entry;
  return { ...entry, source: { ...source, fingerprint: quoteFingerprint("auto") } };
}
