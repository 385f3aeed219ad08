import type { Clock } from "../shared/clock.js";
import { ImportLeaseLostError } from "./errors.js";
import type { ImportEntry, ImportLedger } from "./ports/import-ledger.js";

/**
 * Keeps a running import's claim alive: `keep`, called after each batch written and each chunk read, renews
 * the lease to now + `leaseMs` once a third of it has passed since the claim or the last renewal, so that a
 * batch or a read may take up to two thirds before anyone can take the import over. No timer: a worker that
 * stops making progress (crashed, or stuck on a store write or a read) stops renewing, and its claim expires.
 *
 * A claim is no fence: a batch already sent when the lease runs out may still land after another worker has
 * taken over (the stores' batch writes take no condition). The ids are the same, so what lands is the same
 * todo as imported, which may undo an edit made in between.
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
