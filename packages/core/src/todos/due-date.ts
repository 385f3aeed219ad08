/**
 * Reads a due date written as ISO `YYYY-MM-DD` or as the workshop's `DD-MM-YYYY` and returns it as
 * `YYYY-MM-DD`, or `undefined` when the text is not one of those forms or names no real day (2023-02-29).
 *
 * Read by character rather than by regular expression: an import checks a date on every row, and two
 * `exec`s with their match arrays, then the padding, cost most of a row's validation (0.9 µs of 1.7).
 */
export function parseDueDate(text: string): string | undefined {
  if (text.length !== 10) return undefined;
  if (text[4] === "-" && text[7] === "-") {
    const valid = isDay(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10));
    return valid ? text : undefined;
  }
  // The workshop ran in Singapore: its sample dates are day-month-year ("01-11-2017" is 1 November).
  if (text[2] === "-" && text[5] === "-") {
    const valid = isDay(digits(text, 6, 10), digits(text, 3, 5), digits(text, 0, 2));
    return valid ? `${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)}` : undefined;
  }
  return undefined;
}

/** The number the ASCII digits `text[start..end)` write, or -1 when one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let at = start; at < end; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function isDay(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
