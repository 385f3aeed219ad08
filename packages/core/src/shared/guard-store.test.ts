import { describe, expect, it } from "vitest";
import { InvalidCursorError, StoreUnavailableError } from "./errors.js";
import { guardStore } from "./guard-store.js";

describe("guardStore", () => {
  it("answers what the work answers, synchronous or not", async () => {
    await expect(guardStore("todo store", () => 1)).resolves.toBe(1);
    await expect(guardStore("todo store", async () => 2)).resolves.toBe(2);
  });

  it("lets the domain's own errors through as they are", async () => {
    const domain = new InvalidCursorError();

    await expect(guardStore("todo store", () => Promise.reject(domain))).rejects.toBe(domain);
  });

  it("turns anything else, thrown or rejected, into StoreUnavailableError naming the store, with the cause", async () => {
    const driver = new Error("SQLITE_BUSY: database is locked");

    for (const work of [
      () => {
        throw driver;
      },
      () => Promise.reject(driver),
    ]) {
      const error = await guardStore("todo store", work).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({ message: "The todo store is unavailable.", cause: driver });
    }
  });
});
