import type { ImportReport } from "./import-report.js";
import type { ClaimResult, ImportClaim, ImportEntry, ImportLedger } from "./ports/import-ledger.js";

/**
 * The ledger in a `Map`: the reference for the contract suite, and the store of `TODO_STORE=memory`. Copies on the
 * way in and out, like a real store.
 */
export class InMemoryImportLedger implements ImportLedger {
  private readonly entries = new Map<string, ImportEntry>();

  async claim({ importId, source: given, now, leaseExpiresAt }: ImportClaim): Promise<ClaimResult> {
    const source = structuredClone(given);
    const existing = this.entries.get(importId);
    if (!existing) {
      const entry: ImportEntry = {
        importId,
        source,
        status: "RUNNING",
        attempt: 1,
        startedAt: now,
        leaseExpiresAt,
      };
      this.entries.set(importId, entry);
      return { claimed: true, entry: structuredClone(entry) };
    }
    const abandoned = existing.status === "RUNNING" && existing.leaseExpiresAt <= now;
    if (existing.status === "FAILED" || abandoned) {
      const entry: ImportEntry = {
        importId,
        source,
        status: "RUNNING",
        attempt: existing.attempt + 1,
        startedAt: existing.startedAt,
        leaseExpiresAt,
        ...(existing.writtenThrough !== undefined && { writtenThrough: existing.writtenThrough }),
      };
      this.entries.set(importId, entry);
      return { claimed: true, entry: structuredClone(entry) };
    }
    return { claimed: false, entry: structuredClone(existing) };
  }

  async finish(
    importId: string,
    attempt: number,
    report: ImportReport,
    writtenThrough?: number,
  ): Promise<boolean> {
    const existing = this.entries.get(importId);
    if (existing?.status !== "RUNNING" || existing.attempt !== attempt) return false;
    this.entries.set(importId, {
      ...existing,
      status: report.status,
      report: structuredClone(report),
      ...(writtenThrough !== undefined && { writtenThrough }),
    });
    return true;
  }

  async renew(
    importId: string,
    attempt: number,
    leaseExpiresAt: string,
    writtenThrough?: number,
  ): Promise<boolean> {
    const existing = this.entries.get(importId);
    if (existing?.status !== "RUNNING" || existing.attempt !== attempt) return false;
    this.entries.set(importId, {
      ...existing,
      leaseExpiresAt,
      ...(writtenThrough !== undefined && { writtenThrough }),
    });
    return true;
  }

  async get(importId: string): Promise<ImportEntry | undefined> {
    const entry = this.entries.get(importId);
    return entry && structuredClone(entry);
  }
}
