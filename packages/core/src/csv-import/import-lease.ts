import type { Clock } from "../shared/clock.js";
import { ImportLeaseLostError } from "./errors.js";
import type { ImportEntry, ImportLedger } from "./ports/import-ledger.js";

/**
 * Keeps a running import's claim alive: `keep`, called before and after each batch written and after each chunk
 * read, renews the lease to now + `leaseMs` once a third of it has passed since the claim or the last renewal,
 * so that a batch or a read may take up to two thirds before anyone can take the import over. No timer: a
 * worker that stops making progress (crashed, or stuck on a store write or a read) stops renewing, and its claim
 * expires. A worker that was stuck longer than its lease learns, at its next `keep`, that it lost the import,
 * before it writes anything more.
 *
 * Whether a third has passed is judged by the monotonic clock as well as by `Clock`: a wall clock stepped back
 * (an NTP step, a VM resumed) would otherwise put the next renewal off, and with it the check. The expiry
 * written is on `Clock`, which every worker shares, and never earlier than the one held, moved on by the time
 * that has passed since on the monotonic clock: a stepped-back clock would otherwise write an expiry already
 * past for everyone else, and hand the import to the next worker that asks.
 *
 * A claim is no fence: a batch already sent when the lease runs out may still land after another worker has
 * taken over (the stores' batch writes take no condition). The ids are the same, so what lands is the same
 * todo as imported, which may undo an edit made in between.
 */
export class ImportLease {
  private renewedAt: number;
  private renewedAtMonotonic = performance.now();
  /** The expiry held, as written at the claim or the last renewal. */
  private expiresAt: number;

  constructor(
    private readonly ledger: ImportLedger,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly entry: ImportEntry,
    /** When the claim was made. */
    claimedAt: Date,
  ) {
    this.renewedAt = claimedAt.getTime();
    this.expiresAt = this.renewedAt + leaseMs;
  }

  /**
   * Renews the lease if it is due, recording `writtenThrough` (see `ImportEntry`) with it when given; throws
   * `ImportLeaseLostError` when another worker has taken it over.
   */
  async keep(writtenThrough?: number): Promise<void> {
    const now = this.clock.now().getTime();
    const monotonic = performance.now();
    const due = this.leaseMs / 3;
    // A wall clock behind the last renewal has been stepped back: renew, and so check, at once.
    const steppedBack = now < this.renewedAt;
    if (!steppedBack && now - this.renewedAt < due && monotonic - this.renewedAtMonotonic < due) return;
    const { importId, attempt } = this.entry;
    const expiresAt = Math.max(now + this.leaseMs, this.expiresAt + (monotonic - this.renewedAtMonotonic));
    const renewed = await this.ledger.renew(
      importId,
      attempt,
      new Date(expiresAt).toISOString(),
      writtenThrough,
    );
    if (!renewed) {
      throw new ImportLeaseLostError(importId, attempt);
    }
    this.renewedAt = now;
    this.renewedAtMonotonic = monotonic;
    this.expiresAt = expiresAt;
  }
}
