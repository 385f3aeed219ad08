import { randomUUID } from "node:crypto";
import { type ImportReport, InMemoryImportLedger } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { LedgerWatch } from "./ledger-watch.js";

const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, seconds)).toISOString();

describe("LedgerWatch", () => {
  it("passes every argument on to the ledger it watches, the checkpoint of a renewal and an outcome too", async () => {
    const importId = randomUUID();
    const store = new InMemoryImportLedger();
    const ledger = new LedgerWatch().watch(store);
    await ledger.claim({
      importId,
      source: { container: "c", key: "k", version: "v" },
      now: at(0),
      leaseExpiresAt: at(60),
    });

    await ledger.renew(importId, 1, at(80), 500);
    const renewed = await store.get(importId);
    await ledger.finish(importId, 1, { importId, status: "FAILED" } as ImportReport, 900);

    expect(renewed).toMatchObject({ leaseExpiresAt: at(80), writtenThrough: 500 });
    expect(await store.get(importId)).toMatchObject({ status: "FAILED", writtenThrough: 900 });
  });

  it("says until when an import it claimed is held, while its end is not recorded", async () => {
    const importId = randomUUID();
    const watch = new LedgerWatch();
    const ledger = watch.watch(new InMemoryImportLedger());
    await ledger.claim({
      importId,
      source: { container: "c", key: "k", version: "v" },
      now: at(0),
      leaseExpiresAt: at(60),
    });
    await ledger.renew(importId, 1, at(80));
    const held = watch.unrecordedUntil();

    await ledger.finish(importId, 1, { importId, status: "FAILED" } as ImportReport);

    expect(held).toBe(at(80));
    expect(watch.unrecordedUntil()).toBeUndefined();
  });

  it("notes nothing of a claim refused because another run holds the import", async () => {
    const importId = randomUUID();
    const store = new InMemoryImportLedger();
    const claim = { importId, source: { container: "c", key: "k", version: "v" }, now: at(0) };
    await store.claim({ ...claim, leaseExpiresAt: at(60) });
    const watch = new LedgerWatch();

    const result = await watch.watch(store).claim({ ...claim, leaseExpiresAt: at(90) });

    expect(result.claimed).toBe(false);
    expect(watch.unrecordedUntil()).toBeUndefined();
    expect(watch.endRecorded()).toBe(false);
  });

  it("says the end is recorded only once an import it claimed was finished", async () => {
    const importId = randomUUID();
    const watch = new LedgerWatch();
    const ledger = watch.watch(new InMemoryImportLedger());
    const before = watch.endRecorded();
    await ledger.claim({
      importId,
      source: { container: "c", key: "k", version: "v" },
      now: at(0),
      leaseExpiresAt: at(60),
    });
    const whileRunning = watch.endRecorded();

    await ledger.finish(importId, 1, { importId, status: "FAILED" } as ImportReport);

    expect([before, whileRunning, watch.endRecorded()]).toEqual([false, false, true]);
  });

  it("does not count as its own an end recorded for an import it never claimed", async () => {
    const importId = randomUUID();
    const store = new InMemoryImportLedger();
    await store.claim({
      importId,
      source: { container: "c", key: "k", version: "v" },
      now: at(0),
      leaseExpiresAt: at(60),
    });
    const watch = new LedgerWatch();

    const recorded = await watch
      .watch(store)
      .finish(importId, 1, { importId, status: "FAILED" } as ImportReport);

    expect(recorded).toBe(true);
    expect(watch.endRecorded()).toBe(false);
  });
});
