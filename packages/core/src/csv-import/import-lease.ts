import type { Clock } from "../shared/clock.js";
import { ImportLeaseLostError } from "./errors.js";
import type { ImportEntry, ImportLedger } from "./ports/import-ledger.js";

/**
 * Keeps a running import's claim alive: `keep`, called after each batch written, renews the lease to now +
 * `leaseMs` once a third of it has passed since the claim or the last renewal, so that two more batches may
 * each take a third before anyone can take the import over. No timer: a worker that stops writing (crashed,
 * or stuck on a store write) stops renewing, and its claim expires.
 */
export class ImportLease {
  private renewedAt: number;

  constructor(
    private readonly ledger: ImportLedger,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly entry: ImportEntry,
    /** When the claim was made. */
    claimedAt: Date,
  ) {
    this.renewedAt = claimedAt.getTime();
  }

  /** Renews the lease if it is due; throws `ImportLeaseLostError` when another worker has taken it over. */
  async keep(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.renewedAt < this.leaseMs / 3) return;
    const { importId, attempt } = this.entry;
    const leaseExpiresAt = new Date(now + this.leaseMs).toISOString();
    if (!(await this.ledger.renew(importId, attempt, leaseExpiresAt))) {
      throw new ImportLeaseLostError(importId, attempt);
    }
    this.renewedAt = now;
  }
}
