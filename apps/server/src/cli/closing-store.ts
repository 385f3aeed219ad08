import type { ServerApp } from "../container.js";

/**
 * Runs `command` on the opened store, then closes it. Closing SQLite writes its last checkpoint, which fails on
 * a full disk or a DATA_DIR made read-only meanwhile: that failure must neither hide the command's own error
 * (the import that stopped, and why) nor turn a command that did its work into a stack trace. After a failed
 * command it is dropped; after one that succeeded it is a `StoreCloseError`.
 */
export async function closingStore<T>(app: Pick<ServerApp, "close">, command: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await command();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  try {
    await app.close();
  } catch (error) {
    throw new StoreCloseError(error);
  }
  return result;
}

/** The store could not be closed cleanly; what the command committed is kept (in SQLite's write-ahead log). */
export class StoreCloseError extends Error {
  constructor(cause: unknown) {
    super(
      `could not close the store (${(cause as Error).message}): what the command wrote is kept, and the next run reads it.`,
      { cause },
    );
  }
}
