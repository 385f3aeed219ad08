import type {
  ClaimResult,
  ImportClaim,
  ImportEntry,
  ImportLedger,
  ImportStatus,
  ObjectRef,
} from "@anycloud/core";

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
  private seen: ImportEntry | undefined;
  private lastEnd: ImportStatus | undefined;

  /** `ledger`, with its claims, renewals and ends noted here. */
  watch(ledger: ImportLedger): ImportLedger {
    return {
      claim: async (claim: ImportClaim): Promise<ClaimResult> => {
        const result = await ledger.claim(claim);
        this.seen = result.entry;
        if (result.claimed) {
          this.held = true;
          this.recorded = false;
          this.leaseExpiresAt = result.entry.leaseExpiresAt;
        }
        return result;
      },
      // Every argument passed on as given (the checkpoint too): only what this class reads is named.
      renew: (...args: Parameters<ImportLedger["renew"]>): Promise<boolean> => {
        // Noted before the answer: a renewal whose answer is lost may have been stored all the same.
        this.leaseExpiresAt = args[2];
        return ledger.renew(...args);
      },
      finish: async (...args: Parameters<ImportLedger["finish"]>): Promise<boolean> => {
        this.lastEnd = args[2].status;
        const recorded = await ledger.finish(...args);
        this.recorded ||= recorded;
        return recorded;
      },
      get: async (importId: string) => {
        const entry = await ledger.get(importId);
        this.seen = entry ?? this.seen;
        return entry;
      },
    };
  }

  /**
   * When this process claimed an import and could not record its end: until when the ledger may hold it
   * RUNNING (the last lease it asked for). Undefined when it claimed nothing, or its end was recorded.
   */
  unrecordedUntil(): string | undefined {
    return this.held && !this.recorded ? this.leaseExpiresAt : undefined;
  }

  /** The end this process last asked the ledger to record (COMPLETED, or FAILED after a failure), if any. */
  lastEndAsked(): ImportStatus | undefined {
    return this.lastEnd;
  }

  /** The source of the import as the ledger last answered it: an earlier run's, with its fingerprint. */
  recordedSource(): ObjectRef | undefined {
    return this.seen?.source;
  }

  /** Whether this process claimed an import and recorded its end (after a failure: FAILED, to be taken over). */
  endRecorded(): boolean {
    return this.held && this.recorded;
  }
}
