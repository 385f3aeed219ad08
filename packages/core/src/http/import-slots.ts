import { ServerBusyError } from "./http-errors.js";

/** How long an upload refused for want of a slot is told to wait before it is sent again (`Retry-After`). */
export const IMPORT_SLOT_RETRY_AFTER_SECONDS = 5;

/**
 * How many uploads an API imports at once, at most `max`: one more is refused with `ServerBusyError` (503,
 * `Retry-After`) before a byte of its body is read. Imports share one thread and, on SQLite, one writer, so more
 * at once go no faster; each holds its parser, its batch and its connection, and nothing else capped how many:
 * 16 uploads of 2 MiB at once took the server to 246 MB.
 */
export class ImportSlots {
  private running = 0;

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError("An API imports at least one upload at once.");
  }

  /** The imports running now. */
  get inUse(): number {
    return this.running;
  }

  /** Runs `work` in a slot, given back when it ends however it ends; refuses it when none is free. */
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      throw new ServerBusyError(
        IMPORT_SLOT_RETRY_AFTER_SECONDS,
        `The server is importing as many uploads as it may at once; send this one again in ${IMPORT_SLOT_RETRY_AFTER_SECONDS} s.`,
      );
    }
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
    }
  }
}
