import { randomUUID } from "node:crypto";
import type { ImportClaim, ImportLedger, ObjectRef } from "@anycloud/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aReport, at, SOURCE } from "./import-ledger.fixtures.js";
import { checkAgainstReference } from "./import-ledger.reference.js";

export interface ImportLedgerFixture {
  ledger: ImportLedger;
  dispose?: () => Promise<void>;
}

/**
 * The behaviour every `ImportLedger` promises. Each test gets a fresh, empty ledger from `makeLedger`,
 * disposed after it. Time is passed in (`now`, `leaseExpiresAt`), so the tests pin it.
 *
 * @example
 * describeImportLedgerContract("InMemoryImportLedger", async () => ({ ledger: new InMemoryImportLedger() }));
 */
export function describeImportLedgerContract(
  name: string,
  makeLedger: () => Promise<ImportLedgerFixture>,
  /**
   * How many random runs check the ledger against the reference, `InMemoryImportLedger` (which this suite's
   * other tests check): none for the reference itself.
   */
  { referenceRuns = 0 }: { referenceRuns?: number } = {},
): void {
  describe(`${name} (ImportLedger contract)`, () => {
    let ledger: ImportLedger;
    let dispose: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ ledger, dispose } = await makeLedger());
    });

    afterEach(async () => {
      await dispose?.();
    });

    if (referenceRuns > 0) {
      it("answers random claims, renewals and finishes as the reference ledger does, entry for entry", async () => {
        await checkAgainstReference(makeLedger, referenceRuns);
      });
    }

    it("creates a RUNNING first attempt on the first claim", async () => {
      const importId = randomUUID();

      const result = await ledger.claim(claimAt(importId, 0));

      const expected = {
        importId,
        source: SOURCE,
        status: "RUNNING",
        attempt: 1,
        startedAt: at(0),
        leaseExpiresAt: at(LEASE_MINUTES),
      };
      expect(result).toEqual({ claimed: true, entry: expected });
      expect(await ledger.get(importId)).toEqual(expected);
    });

    it("keeps every field of the source, a fingerprint included", async () => {
      const importId = randomUUID();
      const source: ObjectRef = { ...SOURCE, fingerprint: "sha256:3q2-7w" };

      await ledger.claim({ ...claimAt(importId, 0), source });

      expect((await ledger.get(importId))?.source).toEqual(source);
    });

    it("refuses a second claim while the lease is live, answering with the running entry", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));

      const result = await ledger.claim(claimAt(importId, 1));

      expect(result.claimed).toBe(false);
      expect(result.entry).toMatchObject({
        status: "RUNNING",
        attempt: 1,
        leaseExpiresAt: at(LEASE_MINUTES),
      });
    });

    it("refuses every claim after the import COMPLETED, answering with the stored report", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      const report = aReport(importId, "COMPLETED");
      const finished = await ledger.finish(importId, 1, report);

      const soon = await ledger.claim(claimAt(importId, 1));
      const muchLater = await ledger.claim(claimAt(importId, 10 * LEASE_MINUTES));

      expect(finished).toBe(true);
      for (const result of [soon, muchLater]) {
        expect(result.claimed).toBe(false);
        expect(result.entry.status).toBe("COMPLETED");
        expect(result.entry.report).toEqual(report);
      }
    });

    it("lets a claim take over a FAILED import as attempt 2, keeping the original startedAt", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      await ledger.finish(importId, 1, aReport(importId, "FAILED"));

      const result = await ledger.claim(claimAt(importId, 3));

      expect(result.claimed).toBe(true);
      expect(result.entry).toMatchObject({
        status: "RUNNING",
        attempt: 2,
        startedAt: at(0),
        leaseExpiresAt: at(3 + LEASE_MINUTES),
      });
      expect(result.entry.report).toBeUndefined();
    });

    it("keeps the report of a FAILED import until it is taken over", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      const report = aReport(importId, "FAILED");

      await ledger.finish(importId, 1, report);

      expect(await ledger.get(importId)).toMatchObject({ status: "FAILED", attempt: 1, report });
    });

    it("lets a claim take over a RUNNING import whose lease expired", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));

      const result = await ledger.claim(claimAt(importId, LEASE_MINUTES + 1));

      expect(result.claimed).toBe(true);
      expect(result.entry).toMatchObject({ status: "RUNNING", attempt: 2, startedAt: at(0) });
    });

    it("refuses to finish for an attempt that was taken over, and changes nothing", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      await ledger.claim(claimAt(importId, LEASE_MINUTES + 1));
      const before = await ledger.get(importId);

      const finished = await ledger.finish(importId, 1, aReport(importId, "COMPLETED"));

      expect(finished).toBe(false);
      expect(await ledger.get(importId)).toEqual(before);
    });

    it("refuses to finish an import twice", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      const report = aReport(importId, "COMPLETED");
      await ledger.finish(importId, 1, report);

      const again = await ledger.finish(importId, 1, aReport(importId, "FAILED"));

      expect(again).toBe(false);
      expect(await ledger.get(importId)).toMatchObject({ status: "COMPLETED", report });
    });

    it("refuses to finish an import twice, even with the same report", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      const report = aReport(importId, "COMPLETED");
      await ledger.finish(importId, 1, report);

      const again = await ledger.finish(importId, 1, report);

      expect(again).toBe(false);
    });

    it("refuses to finish an import it never saw", async () => {
      const importId = randomUUID();

      const finished = await ledger.finish(importId, 1, aReport(importId, "COMPLETED"));

      expect(finished).toBe(false);
      expect(await ledger.get(importId)).toBeUndefined();
    });

    it("renews the lease of the attempt that holds the import, and changes nothing else", async () => {
      const importId = randomUUID();
      const { entry } = await ledger.claim(claimAt(importId, 0));

      const renewed = await ledger.renew(importId, 1, at(20));

      expect(renewed).toBe(true);
      expect(await ledger.get(importId)).toEqual({ ...entry, leaseExpiresAt: at(20) });
    });

    it("does not let a claim take over an import whose lease was renewed past now", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      await ledger.renew(importId, 1, at(2 * LEASE_MINUTES));

      const whileRenewed = await ledger.claim(claimAt(importId, LEASE_MINUTES + 1));
      const afterRenewal = await ledger.claim(claimAt(importId, 2 * LEASE_MINUTES));

      expect(whileRenewed).toEqual({
        claimed: false,
        entry: expect.objectContaining({ attempt: 1, leaseExpiresAt: at(2 * LEASE_MINUTES) }),
      });
      expect(afterRenewal).toEqual({ claimed: true, entry: expect.objectContaining({ attempt: 2 }) });
    });

    it("refuses to renew for an attempt that was taken over, and changes nothing", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      await ledger.claim(claimAt(importId, LEASE_MINUTES + 1));
      const before = await ledger.get(importId);

      const renewed = await ledger.renew(importId, 1, at(10 * LEASE_MINUTES));

      expect(renewed).toBe(false);
      expect(await ledger.get(importId)).toEqual(before);
    });

    it.each(["COMPLETED", "FAILED"] as const)(
      "refuses to renew an import that ended %s, and changes nothing",
      async (status) => {
        const importId = randomUUID();
        await ledger.claim(claimAt(importId, 0));
        await ledger.finish(importId, 1, aReport(importId, status));
        const before = await ledger.get(importId);

        const renewed = await ledger.renew(importId, 1, at(10 * LEASE_MINUTES));

        expect(renewed).toBe(false);
        expect(await ledger.get(importId)).toEqual(before);
      },
    );

    it("refuses to renew an import it never saw, and creates nothing", async () => {
      const importId = randomUUID();

      const renewed = await ledger.renew(importId, 1, at(LEASE_MINUTES));

      expect(renewed).toBe(false);
      expect(await ledger.get(importId)).toBeUndefined();
    });

    it("lets exactly one of ten concurrent first claims win", async () => {
      const importId = randomUUID();

      const results = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(claimAt(importId, 0))));

      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      for (const result of results) expect(result.entry).toMatchObject({ status: "RUNNING", attempt: 1 });
    });

    it("lets exactly one of ten concurrent takeovers of a FAILED import win", async () => {
      const importId = randomUUID();
      await ledger.claim(claimAt(importId, 0));
      await ledger.finish(importId, 1, aReport(importId, "FAILED"));

      const results = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(claimAt(importId, 2))));

      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      expect(await ledger.get(importId)).toMatchObject({ status: "RUNNING", attempt: 2 });
    });

    it("returns undefined for an import it never saw", async () => {
      const entry = await ledger.get(randomUUID());

      expect(entry).toBeUndefined();
    });

    // The checkpoint that `renew` and `finish` may record is given back to the claim that takes the import over.
    describe("the checkpoint (writtenThrough)", () => {
      it("records it with a renewal, and gives it to the claim that takes a lapsed import over", async () => {
        const importId = randomUUID();
        await ledger.claim(claimAt(importId, 0));

        const renewed = await ledger.renew(importId, 1, at(5), 401);
        const takeover = await ledger.claim(claimAt(importId, 6));

        expect(renewed).toBe(true);
        expect(takeover).toEqual({
          claimed: true,
          entry: expect.objectContaining({ attempt: 2, writtenThrough: 401 }),
        });
      });

      it("records it with a FAILED outcome, keeps it across takeovers, and moves it with the later attempt", async () => {
        const importId = randomUUID();
        await ledger.claim(claimAt(importId, 0));
        await ledger.renew(importId, 1, at(5), 401);
        await ledger.finish(importId, 1, aReport(importId, "FAILED"), 801);

        const second = await ledger.claim(claimAt(importId, 6));
        await ledger.finish(importId, 2, aReport(importId, "FAILED"));
        const third = await ledger.claim(claimAt(importId, 7));
        await ledger.renew(importId, 3, at(9), 1201);

        expect(second.entry).toMatchObject({ attempt: 2, writtenThrough: 801 });
        expect(third.entry).toMatchObject({ attempt: 3, writtenThrough: 801 });
        expect(await ledger.get(importId)).toMatchObject({ attempt: 3, writtenThrough: 1201 });
      });

      it("does not record it for an attempt that no longer holds the import", async () => {
        const importId = randomUUID();
        await ledger.claim(claimAt(importId, 0));
        await ledger.renew(importId, 1, at(5), 401);
        await ledger.claim(claimAt(importId, 6));

        const renewed = await ledger.renew(importId, 1, at(30), 9001);
        const finished = await ledger.finish(importId, 1, aReport(importId, "FAILED"), 9001);

        expect([renewed, finished]).toEqual([false, false]);
        expect(await ledger.get(importId)).toMatchObject({ attempt: 2, writtenThrough: 401 });
      });
    });

    it("keeps the stored entry when the caller mutates one it got back, from a claim or a get", async () => {
      const importId = randomUUID();
      const { entry } = await ledger.claim(claimAt(importId, 0));

      entry.attempt = 99;
      entry.source.key = "changed";
      const got = await ledger.get(importId);
      got!.attempt = 98;
      got!.source.key = "changed too";
      const stored = await ledger.get(importId);

      expect(stored).toMatchObject({ attempt: 1, source: SOURCE });
    });

    it("keeps the stored entry when the caller mutates the source it claimed with, or the report it finished with", async () => {
      const importId = randomUUID();
      const claim = claimAt(importId, 0);
      const report = aReport(importId, "FAILED");
      await ledger.claim(claim);
      await ledger.finish(importId, 1, report);

      claim.source.key = "changed after claim";
      report.errors.push({ line: 9, reason: "added after finish" });
      const stored = await ledger.get(importId);

      expect(stored).toMatchObject({ source: SOURCE, report: aReport(importId, "FAILED") });
    });
  });
}

const LEASE_MINUTES = 15;

/** A claim made at minute `minutes`, holding a lease of `LEASE_MINUTES`. */
function claimAt(importId: string, minutes: number): ImportClaim {
  return { importId, source: { ...SOURCE }, now: at(minutes), leaseExpiresAt: at(minutes + LEASE_MINUTES) };
}
