import type { RowError } from "./import-report.js";

/**
 * The first `limit` row errors in line order, whatever order they are added in (the record guard reports a
 * little ahead of the parser). Holds at most `limit` errors however many are added.
 */
export class RowErrorList {
  private readonly errors: RowError[] = [];
  private dropped = false;

  constructor(private readonly limit: number) {}

  add(error: RowError): void {
    const errors = this.errors;
    if (errors.length === this.limit) {
      this.dropped = true;
      if (this.limit === 0 || errors[errors.length - 1]!.line <= error.line) return;
      errors.pop();
    }
    let index = errors.length;
    while (index > 0 && errors[index - 1]!.line > error.line) index -= 1;
    errors.splice(index, 0, error);
  }

  /** True when errors were left out. */
  get truncated(): boolean {
    return this.dropped;
  }

  toArray(): RowError[] {
    return this.errors.map((error) => ({ ...error }));
  }
}
