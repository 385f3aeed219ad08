import { describe, expect, it } from "vitest";
import { closingStore, StoreCloseError } from "./closing-store.js";

/** A store whose close fails as SQLite's last checkpoint does on a full disk. */
const storeOnAFullDisk = () => {
  const store = {
    closed: 0,
    close: async () => {
      store.closed += 1;
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    },
  };
  return store;
};

describe("closingStore", () => {
  it("answers the command's result and closes the store once", async () => {
    let closed = 0;
    const store = {
      close: async () => {
        closed += 1;
      },
    };

    const result = await closingStore(store, async () => 0);

    expect(result).toBe(0);
    expect(closed).toBe(1);
  });

  it("throws the command's own error when the store then fails to close too", async () => {
    const store = storeOnAFullDisk();
    const stopped = new Error("the import stopped");

    const outcome = closingStore(store, async () => {
      throw stopped;
    });

    await expect(outcome).rejects.toBe(stopped);
    expect(store.closed).toBe(1);
  });

  it("throws a StoreCloseError, saying why and that the writes are kept, when only the close fails", async () => {
    const store = storeOnAFullDisk();

    const outcome = closingStore(store, async () => 0);

    await expect(outcome).rejects.toBeInstanceOf(StoreCloseError);
    await expect(outcome).rejects.toThrow(
      "could not close the store (database or disk is full): what the command wrote is kept, and the next run reads it.",
    );
  });
});
