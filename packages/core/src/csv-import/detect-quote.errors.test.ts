import type { Options } from "csv-parse/sync";
import { describe, expect, it, vi } from "vitest";

// Counts the errors csv-parse reports to `detectQuote`'s readings: each costs a copy of the field read so far.
const reported = vi.hoisted(() => ({ errors: 0 }));
vi.mock("csv-parse/sync", async (importOriginal) => {
  const actual = await importOriginal<typeof import("csv-parse/sync")>();
  return {
    ...actual,
    parse: (input: string, options: Options) =>
      actual.parse(input, {
        ...options,
        on_skip: (...args: Parameters<NonNullable<Options["on_skip"]>>) => {
          reported.errors += 1;
          return options.on_skip?.(...args);
        },
      }),
  };
});

const { detectQuote } = await import("./detect-quote.js");

describe("detectQuote on a sample of many quote errors", () => {
  it("stops each reading after 100 errors, where csv-parse reports one per quote (64 KiB of them took 16 s)", () => {
    const sample = Buffer.from(`task\n'x'\na${'"'.repeat(64 * 1024 - 16)}\n`);

    const quote = detectQuote(sample, { endOfFile: true });

    expect(quote).toBe("'");
    // Two readings, each stopped at its 101st error.
    expect(reported.errors).toBeLessThanOrEqual(2 * 101);
    expect(reported.errors).toBeGreaterThan(100);
  });
});
