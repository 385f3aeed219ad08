import { randomUUID } from "node:crypto";
import { type ImportLedger, type ImportStatus, InMemoryImportLedger } from "@anycloud/core";
import fc from "fast-check";
import { expect } from "vitest";
import { propertyRuns } from "../support/property-runs.js";
import type { ImportLedgerFixture } from "./import-ledger.contract.js";
import { aReport, at } from "./import-ledger.fixtures.js";

// Two imports and a few minutes, so that claims meet live and expired leases, and finishes and renewals meet
// attempts that hold the import, that lost it, and that never had it.
const IMPORTS = 2;
const MINUTES = 8;

type Operation =
  | { kind: "claim"; import: number; at: number; leaseMinutes: number; key: number }
  | { kind: "renew"; import: number; attemptOff: number; until: number; writtenThrough: number | undefined }
  | {
      kind: "finish";
      import: number;
      attemptOff: number;
      status: ImportStatus;
      writtenThrough: number | undefined;
    }
  | { kind: "get"; import: number };

const importIndex = fc.nat({ max: IMPORTS - 1 });
// The attempt that holds the import most of the time, else the one before it or after it.
const attemptOff = fc.constantFrom(0, 0, 0, -1, 1);
const writtenThrough = fc.option(fc.nat({ max: 40 }), { nil: undefined });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant("claim"),
    import: importIndex,
    at: fc.nat({ max: MINUTES }),
    leaseMinutes: fc.integer({ min: 1, max: 3 }),
    key: fc.nat({ max: 1 }),
  }),
  fc.record({
    kind: fc.constant("renew"),
    import: importIndex,
    attemptOff,
    until: fc.integer({ min: 1, max: MINUTES + 3 }),
    writtenThrough,
  }),
  fc.record({
    kind: fc.constant("finish"),
    import: importIndex,
    attemptOff,
    status: fc.constantFrom<ImportStatus>("COMPLETED", "FAILED"),
    writtenThrough,
  }),
  fc.record({ kind: fc.constant("get"), import: importIndex }),
);

/**
 * Runs random claims, renewals and finishes against a fresh ledger from `makeLedger` each time and against the
 * reference ledger (`InMemoryImportLedger`, whose own tests are the contract's), and checks that every answer,
 * and every entry after each step, is the reference's.
 */
export async function checkAgainstReference(
  makeLedger: () => Promise<ImportLedgerFixture>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { maxLength: 30 }), async (operations) => {
      const { ledger, dispose } = await makeLedger();
      try {
        await run(ledger, new InMemoryImportLedger(), operations);
      } finally {
        await dispose?.();
      }
    }),
    propertyRuns(numRuns),
  );
}

async function run(
  ledger: ImportLedger,
  reference: ImportLedger,
  operations: readonly Operation[],
): Promise<void> {
  const importIds = Array.from({ length: IMPORTS }, () => randomUUID());
  for (const step of operations) {
    const importId = importIds[step.import]!;
    const attempt = (await reference.get(importId))?.attempt ?? 1;
    const both = async <T>(call: (on: ImportLedger) => Promise<T>) => {
      expect(await call(ledger), JSON.stringify(step)).toEqual(await call(reference));
    };
    switch (step.kind) {
      case "claim": {
        const claim = {
          importId,
          source: { container: "uploads", key: `todos-${step.key}.csv`, version: `v${step.key}` },
          now: at(step.at),
          leaseExpiresAt: at(step.at + step.leaseMinutes),
        };
        await both((on) => on.claim(claim));
        break;
      }
      case "renew":
        await both((on) =>
          on.renew(importId, attempt + step.attemptOff, at(step.until), step.writtenThrough),
        );
        break;
      case "finish": {
        const report = aReport(importId, step.status);
        await both((on) => on.finish(importId, attempt + step.attemptOff, report, step.writtenThrough));
        break;
      }
      case "get":
        break;
    }
    for (const id of importIds) await both((on) => on.get(id));
  }
}
