/** The characters a CSV field may be quoted with. The workshop's sample file quotes with `'`. */
export type QuoteChar = '"' | "'";

/** How much of the file `detectQuote` looks at. */
export const QUOTE_SAMPLE_BYTES = 64 * 1024;

/** How many lines after the header `detectQuote` looks at, empty ones included. */
export const QUOTE_SAMPLE_LINES = 10;

/**
 * Guesses the quote character from the start of a file: `'` when, in the 10 lines after the header, some field
 * starts and ends with `'` and no field starts with `"`; `"` otherwise. Empty lines count among the 10: the
 * caller reads ahead by line feeds, and a sample of lines that skipped them would reach further into a file
 * that arrives in large chunks than into the same file in small ones, and could answer differently, so
 * that a retry would parse the same bytes into other todos.
 *
 * `endOfFile` says whether `sample` reaches the end of the file: when it does not, its last line may be cut
 * and is not looked at.
 */
export function detectQuote(sample: Uint8Array, { endOfFile }: { endOfFile: boolean }): QuoteChar {
  // TextDecoder drops a UTF-8 BOM; `stream` keeps a character cut at the end from becoming U+FFFD.
  const text = new TextDecoder("utf-8").decode(sample.subarray(0, QUOTE_SAMPLE_BYTES), {
    stream: !endOfFile || sample.length > QUOTE_SAMPLE_BYTES,
  });
  // LF, CRLF, and CR (a file with CR line endings is read as an LF one, see `CrLineEndingsToLf`).
  const lines = text.split(/\r\n|\r|\n/);
  if (!endOfFile || sample.length > QUOTE_SAMPLE_BYTES) lines.pop();
  const dataLines = lines.slice(1, 1 + QUOTE_SAMPLE_LINES).filter((line) => line !== "");

  let singleQuoted = false;
  for (const line of dataLines) {
    for (const field of line.split(",")) {
      if (field.startsWith('"')) return '"';
      if (field.length >= 2 && field.startsWith("'") && field.endsWith("'")) singleQuoted = true;
    }
  }
  return singleQuoted ? "'" : '"';
}
