import type { ClaimResult, ImportClaim, ImportLedger, ImportReport } from "@anycloud/core";

/**
 * Watches the import ledger of one `todo import`, for what core does not tell its caller: whether the import's
 * end was recorded. Core records an interrupted import FAILED, and when the store does not answer only logs
 * that it could not (the CLI's log is silent): the import is then still RUNNING in the ledger, and running the
 * command again is refused as "already running" until its lease runs out.
 */
export class LedgerWatch {
  private held = false;
  private recorded = false;
  private leaseExpiresAt: string | undefined;

  /** `ledger`, with its claims, renewals and ends noted here. */
  watch(ledger: ImportLedger): ImportLedger {
    return {
      claim: async (claim: ImportClaim): Promise<ClaimResult> => {
        const result = await ledger.claim(claim);
        if (result.claimed) {
          this.held = true;
          this.recorded = false;
          this.leaseExpiresAt = result.entry.leaseExpiresAt;
        }
        return result;
      },
      renew: (importId: string, attempt: number, leaseExpiresAt: string): Promise<boolean> => {
        // Noted before the answer: a renewal whose answer is lost may have been stored all the same.
        this.leaseExpiresAt = leaseExpiresAt;
        return ledger.renew(importId, attempt, leaseExpiresAt);
      },
      finish: async (importId: string, attempt: number, report: ImportReport): Promise<boolean> => {
        const recorded = await ledger.finish(importId, attempt, report);
        this.recorded ||= recorded;
        return recorded;
      },
      get: (importId: string) => ledger.get(importId),
    };
  }

  /**
   * When this process claimed an import and could not record its end: until when the ledger may hold it
   * RUNNING (the last lease it asked for). Undefined when it claimed nothing, or its end was recorded.
   */
  unrecordedUntil(): string | undefined {
    return this.held && !this.recorded ? this.leaseExpiresAt : undefined;
  }
}
