import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { parseDueDate } from "./due-date.js";
import { todoSchemas } from "./todo-schema.js";

const { dueDate: dueDateSchema } = todoSchemas();

/**
 * What `parseDueDate` should answer, written another way: a regular expression for the two forms, and the
 * calendar of `Date` (proleptic Gregorian, as ISO 8601's) to say whether the day exists. `setUTCFullYear`, as
 * `Date.UTC` would read years 0-99 as 1900-1999.
 */
function referenceDueDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const dmy = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  if (!iso && !dmy) return undefined;
  const [year, month, day] = iso ? [iso[1]!, iso[2]!, iso[3]!] : [dmy![3]!, dmy![2]!, dmy![1]!];
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const real =
    Number(year) >= 1 &&
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day);
  return real ? `${year}-${month}-${day}` : undefined;
}

const pad = (value: number, width: number) =>
  value < 0 ? `-${String(-value).padStart(width - 1, "0")}` : String(value).padStart(width, "0");

/** Dates near and far: any year from 0 to 12000 (leap years and centuries often), days and months one past. */
const dateParts = fc.record({
  year: fc.oneof(
    fc.integer({ min: 0, max: 12_000 }),
    fc.constantFrom(0, 1, 4, 99, 100, 400, 999, 1000, 1900, 2000, 2023, 2024, 2100, 9999, 10_000),
    fc.integer({ min: 0, max: 2500 }).map((quarter) => quarter * 4),
  ),
  // February and the ends of months often: where calendars differ.
  month: fc.oneof(fc.integer({ min: -1, max: 14 }), fc.constant(2)),
  day: fc.oneof(fc.integer({ min: -1, max: 33 }), fc.integer({ min: 28, max: 32 })),
});

/** The two forms the parser reads, and their near misses: other separators, widths, a space around. */
const writtenDate = fc
  .record({
    parts: dateParts,
    dayFirst: fc.boolean(),
    separator: fc.constantFrom("-", "-", "-", "/", ".", " ", "\u2212", "_", ""),
    widths: fc.constantFrom([4, 2, 2], [4, 2, 2], [4, 2, 2], [4, 1, 1], [5, 2, 2], [3, 2, 2], [4, 2, 3]),
    around: fc.constantFrom("", "", "", " ", "\t", "\u00a0", "\n"),
  })
  .map(({ parts: { year, month, day }, dayFirst, separator, widths: [y, m, d], around }) => {
    const [yy, mm, dd] = [pad(year, y!), pad(month, m!), pad(day, d!)];
    const text = dayFirst ? [dd, mm, yy].join(separator) : [yy, mm, dd].join(separator);
    return around.length > 0 && text.length % 2 === 0 ? `${around}${text}` : `${text}${around}`;
  });

/** Strings of date-like characters: digits (ASCII and not), the characters either side of them, separators, signs. */
const dateLikeText = fc.string({
  unit: fc.constantFrom(..."0123456789-0123456789-/:; .+e\u0660\u0662\uff10\uff12\u00b2"),
  minLength: 8,
  maxLength: 12,
});

/** A real date with one character changed to any other. */
const alteredDate = fc
  .record({
    parts: dateParts,
    dayFirst: fc.boolean(),
    at: fc.nat(9),
    char: fc.oneof(
      fc.constantFrom(..."/:;.,- +0123456789"),
      fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
    ),
  })
  .map(({ parts: { year, month, day }, dayFirst, at, char }) => {
    const text = dayFirst
      ? `${pad(day, 2)}-${pad(month, 2)}-${pad(year, 4)}`
      : `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    return `${text.slice(0, at)}${char}${text.slice(at + 1)}`;
  });

const anyDateText = fc.oneof(writtenDate, dateLikeText, alteredDate, fc.string({ maxLength: 12 }));

describe("parseDueDate, on generated text", () => {
  it("answers as a reference built on Date's calendar does", () => {
    fc.assert(
      fc.property(anyDateText, (text) => {
        expect(parseDueDate(text)).toBe(referenceDueDate(text));
      }),
      propertyRuns(6000),
    );
  });

  it("reads every real day from year 1 to 9999 in both forms, and gives it back as YYYY-MM-DD", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10);
          const [year, month, day] = iso.split("-");

          expect(parseDueDate(iso)).toBe(iso);
          expect(parseDueDate(`${day}-${month}-${year}`)).toBe(iso);
        },
      ),
      propertyRuns(2000),
    );
  });

  it("gives back what it reads when given its own answer (the stored form re-validates to itself)", () => {
    fc.assert(
      fc.property(anyDateText, (text) => {
        const date = parseDueDate(text);
        if (date !== undefined) expect(parseDueDate(date)).toBe(date);
      }),
      propertyRuns(3000),
    );
  });

  it("is read by the schema as the trimmed text is read by the parser", () => {
    fc.assert(
      fc.property(anyDateText, (text) => {
        const result = dueDateSchema.safeParse(text);
        const trimmed = text.trim();
        if (trimmed === "") expect(result).toMatchObject({ success: true, data: null });
        else if (referenceDueDate(trimmed) === undefined) expect(result.success).toBe(false);
        else expect(result).toMatchObject({ success: true, data: referenceDueDate(trimmed) });
      }),
      propertyRuns(3000),
    );
  });
});
