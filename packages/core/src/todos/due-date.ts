const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// The workshop ran in Singapore: its sample dates are day-month-year ("01-11-2017" is 1 November).
const DAY_MONTH_YEAR = /^(\d{2})-(\d{2})-(\d{4})$/;

/**
 * Reads a due date written as ISO `YYYY-MM-DD` or as the workshop's `DD-MM-YYYY` and returns it as
 * `YYYY-MM-DD`, or `undefined` when the text is not one of those forms or names no real day (2023-02-29).
 */
export function parseDueDate(text: string): string | undefined {
  const iso = ISO_DATE.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dmy = DAY_MONTH_YEAR.exec(text);
  if (dmy) return calendarDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  return undefined;
}

function calendarDate(year: number, month: number, day: number): string | undefined {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
