import { describe, expect, it } from "vitest";
import { MAX_ROWS_PER_STEP, type RowRead, readTodoRows } from "./read-todo-rows.js";

async function* chunks(text: string, size = 16) {
  const bytes = Buffer.from(text, "utf8");
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(
  text: string,
  options: Partial<Parameters<typeof readTodoRows>[1]> = {},
  chunkSize?: number,
) {
  const reads: RowRead[] = [];
  const body = chunks(text, chunkSize);
  for await (const batch of readTodoRows(body, { quote: "auto", maxRecordBytes: 64, ...options })) {
    reads.push(...batch);
  }
  return reads;
}

describe("readTodoRows", () => {
  it("yields the header, then a row or a rejection per record", async () => {
    const reads = await readAll("task,dueDate\nWater plants,2024-01-02\n,2024-01-03\nCall Ann,\n");

    expect(reads).toEqual([
      { kind: "header", line: 1 },
      { kind: "row", line: 2, row: { task: "Water plants", dueDate: "2024-01-02", checked: false } },
      { kind: "rejected", line: 3, reason: "task: must not be empty" },
      { kind: "row", line: 4, row: { task: "Call Ann", dueDate: null, checked: false } },
    ]);
  });

  // A spreadsheet saves rows that are empty but formatted as `,,`: they are no todos missing a task.
  it("skips records whose fields are all empty or blank, as it skips empty lines, before the header too", async () => {
    const reads = await readAll(',,\ntask,name,dueDate\n,,\nCall Ann,,\n , ,\n"","",""\n,Bob,\n,,\n');

    expect(reads).toEqual([
      { kind: "header", line: 2 },
      { kind: "row", line: 4, row: { task: "Call Ann", name: null, dueDate: null, checked: false } },
      { kind: "rejected", line: 7, reason: "task: must not be empty" },
    ]);
  });

  it.each([
    [
      "refused by validation",
      "task,dueDate\n",
      ",x\n",
      "task: must not be empty; dueDate: must be a real date",
    ],
    ["dropped as bad CSV", "task,name\n", 'a"b,c\n', "inside an unquoted field"],
  ])(
    "yields a chunk's rows %s a step at a time, so that its consumer can let others run",
    async (_, header, row, reason) => {
      // 64 KiB in one chunk, as a body read whole is sliced: 21,800 records or more.
      const text = header + row.repeat(Math.floor((64 * 1024 - header.length) / row.length));
      const steps: number[] = [];
      const body = chunks(text, 64 * 1024);
      for await (const batch of readTodoRows(body, { quote: "auto", maxRecordBytes: 1024 }))
        steps.push(batch.length);

      expect(steps.reduce((sum, size) => sum + size, 0)).toBe(
        1 + Math.floor((64 * 1024 - header.length) / row.length),
      );
      expect(Math.max(...steps)).toBeLessThanOrEqual(MAX_ROWS_PER_STEP);
      const reads = await readAll(text.slice(0, header.length + row.length * 3), { maxRecordBytes: 1024 });
      expect(reads[1]).toMatchObject({ kind: "rejected", reason: expect.stringContaining(reason) });
    },
  );

  it("yields the records the record guard dropped among the others", async () => {
    const reads = await readAll(`task\nfirst\n${"x".repeat(100)}\nlast\n`);

    expect(reads.filter((read) => read.kind !== "header")).toEqual(
      expect.arrayContaining([
        { kind: "row", line: 2, row: { task: "first", checked: false } },
        { kind: "rejected", line: 3, reason: "record larger than 64 bytes" },
        { kind: "row", line: 4, row: { task: "last", checked: false } },
      ]),
    );
  });

  it.each([
    ["a header over the size limit", `task${",x".repeat(40)}\nfirst\n`],
    ["a header over the size limit, alone in the file", `task${",x".repeat(40)}\n`],
  ])("rejects the file with %s", async (_case, text) => {
    expect(await readAll(text)).toEqual([
      { kind: "header-rejected", line: 1, reason: "header: record larger than 64 bytes" },
    ]);
  });

  // The guard drops such records before the parser sees them, leaving one line break each: without a batch
  // per chunk, nothing reached the consumer until the parser met a good record, so the whole file was read
  // ahead (and the drops held) with no step taken, and so no lease renewed.
  it.each([
    ["a quote inside an unquoted field", (index: number) => `t${index}"x,n`],
    ["over the size cap", (index: number) => `t${index}${"x".repeat(100)}`],
  ])("reads records the record guard drops (%s) only as fast as they are consumed", async (_, record) => {
    const rows = Array.from({ length: 40_000 }, (_, index) => record(index));
    const bytes = Buffer.from(`task,name\n${rows.join("\n")}\n`);
    const chunkSize = 16 * 1024;
    let chunksRead = 0;
    async function* source() {
      for (let at = 0; at < bytes.length; at += chunkSize) {
        chunksRead += 1;
        yield bytes.subarray(at, at + chunkSize);
      }
    }
    const steps: { reads: number; chunksRead: number }[] = [];

    for await (const batch of readTodoRows(source(), { quote: '"', maxRecordBytes: 64 })) {
      steps.push({ reads: batch.length, chunksRead });
    }

    const chunks = Math.ceil(bytes.length / chunkSize);
    expect(steps.reduce((sum, step) => sum + step.reads, 0)).toBe(1 + rows.length);
    // A step for about every chunk, each taken while the source is read only a few chunks ahead.
    expect(steps.length).toBeGreaterThan(chunks / 2);
    for (const [index, step] of steps.entries()) expect(step.chunksRead).toBeLessThanOrEqual(index + 8);
  });

  it.each([
    [
      "little-endian",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('task\n"Water, the plants"\n', "utf16le")]),
    ],
    [
      "big-endian",
      Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from('task\n"Water, the plants"\n', "utf16le").swap16(),
      ]),
    ],
  ])("refuses a UTF-16 file (%s) as a whole, saying to save it as UTF-8", async (_, bytes) => {
    for (const quote of ["auto", '"'] as const) {
      const reads: RowRead[] = [];
      async function* source() {
        yield bytes;
      }
      for await (const batch of readTodoRows(source(), { quote, maxRecordBytes: 64 })) reads.push(...batch);

      expect(reads).toEqual([
        { kind: "header-rejected", line: 1, reason: expect.stringMatching(/UTF-16.*UTF-8/) },
      ]);
    }
  });

  it("closes the body of a UTF-16 file it refuses, when the file is longer than its look ahead", async () => {
    let closed = false;
    async function* body() {
      try {
        yield Buffer.from([0xff, 0xfe]);
        for (let line = 0; line < 1000; line++) yield Buffer.from(`row ${line}\n`, "utf16le");
      } finally {
        closed = true;
      }
    }
    const reads: RowRead[] = [];

    for await (const batch of readTodoRows(body(), { quote: "auto", maxRecordBytes: 64 }))
      reads.push(...batch);

    expect(reads).toEqual([
      { kind: "header-rejected", line: 1, reason: expect.stringMatching(/UTF-16.*UTF-8/) },
    ]);
    expect(closed).toBe(true);
  });

  /** Reads `text` in 16-byte chunks, counting those read and whether the body was closed. */
  async function readCounting(text: string) {
    let chunksRead = 0;
    let closed = false;
    async function* body() {
      try {
        for await (const chunk of chunks(text)) {
          chunksRead += 1;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    }
    const reads: RowRead[] = [];
    for await (const batch of readTodoRows(body(), { quote: '"', maxRecordBytes: 64 })) reads.push(...batch);
    return { reads, chunksRead, closed };
  }

  it("rejects the file when the header has no task column, and stops reading", async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `row ${i}`).join("\n");

    const { reads, chunksRead, closed } = await readCounting(`title\n${rows}\n`);

    expect(reads).toEqual([
      { kind: "header-rejected", line: 1, reason: 'header must contain a "task" column' },
    ]);
    expect(closed).toBe(true);
    // About 1 MB in 16-byte chunks: the stream buffers hold some, but reading stops long before the end.
    expect(chunksRead).toBeLessThan(10_000);
  });

  // Every record dropped was held until the parser yielded one: a file of nothing else was read to its end, and
  // held whole as rejections (a 15 MB file of `a"` lines took 900 MB and 9 s to end as "header rejected").
  it.each([
    ["a quote inside an unquoted field", "", 'ti"tle'],
    ["a quote inside an unquoted field, after blank records", ",,\n , \n", 'ti"tle'],
    // The parser trims blanks at a field's start: a line of nothing else is an empty line to it, never yielded.
    ["a quote inside an unquoted field, after a line of blanks", " \t \n", 'ti"tle'],
    ["over the size limit", "", `task${",x".repeat(40)}`],
  ])("rejects the file when its header is dropped (%s), and stops reading", async (_, before, header) => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `row "${i}"`).join("\n");

    const { reads, chunksRead, closed } = await readCounting(`${before}${header}\n${rows}\n`);

    expect(reads).toEqual([
      {
        kind: "header-rejected",
        line: before.split("\n").length,
        reason: expect.stringMatching(/^header: /),
      },
    ]);
    expect(closed).toBe(true);
    // About 1 MB in 16-byte chunks: reading stops long before the end.
    expect(chunksRead).toBeLessThan(10_000);
  });

  it("parses the same bytes alike however they are chunked, an empty line near the top included", async () => {
    // Ten lines after the header, one of them empty, then a line whose first field starts with ".
    const singleQuoted = Array.from({ length: 9 }, (_, i) => `'task ${i}',x`).join("\n");
    const text = `task,name\n\n${singleQuoted}\n"said ""hi""",x\n`;

    const parses = [];
    for (const size of [1, 16, 64, 64 * 1024]) {
      const reads: RowRead[] = [];
      for await (const batch of readTodoRows(chunks(text, size), { quote: "auto", maxRecordBytes: 64 }))
        reads.push(...batch);
      parses.push(reads);
    }

    expect(parses[0]).toContainEqual(
      expect.objectContaining({ kind: "row", row: expect.objectContaining({ task: "task 0" }) }),
    );
    for (const parse of parses.slice(1)) expect(parse).toEqual(parses[0]);
  });

  // A Lambda event hands the whole body over in one chunk: every malformed record in it is dropped at once.
  it("rejects more malformed records in one chunk than a call takes arguments", async () => {
    const records = 200_000;
    const text = `task\n${'a"b\n'.repeat(records)}`;
    let rejected = 0;
    for await (const batch of readTodoRows(chunks(text, text.length), { quote: '"', maxRecordBytes: 64 })) {
      for (const read of batch) if (read.kind === "rejected") rejected += 1;
    }

    expect(rejected).toBe(records);
  });

  it("uses the quote it is told, without looking", async () => {
    const reads = await readAll("task\n'quoted'\n", { quote: '"' });

    expect(reads).toContainEqual({ kind: "row", line: 2, row: { task: "'quoted'", checked: false } });
  });

  it("stops with the abort reason when aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const reading = (async () => {
      for await (const _batch of readTodoRows(chunks(`task\n${"row\n".repeat(10_000)}`, 8), {
        quote: '"',
        maxRecordBytes: 64,
        signal: controller.signal,
      })) {
        controller.abort(reason);
      }
    })();

    await expect(reading).rejects.toMatchObject({ name: "AbortError", cause: reason });
  });
});

describe("readTodoRows and line breaks", () => {
  it("reads a CR-only file larger than the record guard's size limit, every row at its editor's line", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `task ${i},John Doe,10-12-2017`);
    const text = `task,name,dueDate\r${rows.join("\r")}\r`;
    expect(text.length).toBeGreaterThan(65_536);

    const reads = await readAll(text, { maxRecordBytes: 65_536 });

    const lines = reads.filter((read) => read.kind === "row").map((read) => read.line);
    expect(lines).toEqual(rows.map((_, i) => i + 2));
    expect(reads.filter((read) => read.kind === "rejected")).toEqual([]);
  });

  // Whether a file's lines end with CRs is decided at its first line break: looked for only in the first 64 KiB,
  // a header of the limit's size in a CR file was read with everything after it as one line too large.
  it.each([
    ["of the size limit", "", 65_536, 65_536],
    ["of the size limit after a BOM", "\uFEFF", 65_536, 65_536],
    ["longer than 64 KiB under a larger limit", "", 100_000, 80_000],
  ])(
    "reads a CR-only file whose header is %s, as its LF version",
    async (_case, bom, maxRecordBytes, size) => {
      const header = `task,${"x".repeat(size - "task,".length)}`;
      const text = (ending: string) => `${bom}${header}${ending}Buy milk,Ann${ending}`;

      const reads = await readAll(text("\r"), { maxRecordBytes }, 4096);

      expect(reads).toEqual(await readAll(text("\n"), { maxRecordBytes }, 4096));
      expect(reads).toEqual([
        { kind: "header", line: 1 },
        { kind: "row", line: 2, row: { task: "Buy milk", checked: false } },
      ]);
    },
  );

  it("numbers CR CR LF line endings as two lines, as editors do", async () => {
    const reads = await readAll("task,name\r\r\nA,B\r\r\nC,D\r\r\n");
    expect(reads.map((read) => [read.kind, read.line])).toEqual([
      ["header", 1],
      ["row", 3],
      ["row", 5],
    ]);
  });

  /** Reads `pieces` as the body's chunks, one each. */
  async function readChunks(pieces: (string | Uint8Array)[], quote: "auto" | '"' = "auto") {
    async function* body() {
      for (const piece of pieces) yield typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    }
    const steps: RowRead[][] = [];
    for await (const batch of readTodoRows(body(), { quote, maxRecordBytes: 64 })) steps.push(batch);
    return steps;
  }

  it("looks for the quote as far as the tenth line after the header, however the file is chunked", async () => {
    const lines = [
      "task,name\n",
      ...Array.from({ length: 9 }, (_, i) => `Task ${i + 1},Ann\n`),
      "'Buy milk, eggs',Ann\n",
    ];

    const reads = (await readChunks(lines)).flat();

    expect(reads.at(-1)).toEqual({
      kind: "row",
      line: 11,
      row: { task: "Buy milk, eggs", name: "Ann", checked: false },
    });
  });

  it("looks for the quote in the last line of a short file without a final line break", async () => {
    const reads = (await readChunks(["task,name\n'Buy milk, eggs',Ann"])).flat();

    expect(reads.at(-1)).toEqual({
      kind: "row",
      line: 2,
      row: { task: "Buy milk, eggs", name: "Ann", checked: false },
    });
  });

  it.each([
    ["rows", "Task\n"],
    ["rejections", 'a"b\n'],
  ])("yields the %s of one chunk in steps of MAX_ROWS_PER_STEP, not one by one", async (_, record) => {
    const records = 2 * MAX_ROWS_PER_STEP + 10;

    const steps = await readChunks([`task\n${record.repeat(records)}`], '"');

    expect(steps.reduce((sum, step) => sum + step.length, 0)).toBe(1 + records);
    expect(steps.length).toBeLessThanOrEqual(4);
  });

  it("yields no empty step, however small the chunks", async () => {
    const bytes = Buffer.from('task,name\nBuy milk,Ann\n\n"Call, mum",Bob\n');

    const steps = await readChunks(
      [...bytes].map((byte) => Buffer.from([byte])),
      '"',
    );

    expect(steps.flat().map((read) => read.kind)).toEqual(["header", "row", "row"]);
    expect(steps.filter((step) => step.length === 0)).toEqual([]);
  });

  it.each([
    ["a first byte of 0xFF", [0xff, 0x74, 0x0a]],
    ["a second byte of 0xFE", [0x74, 0xfe, 0x0a]],
    ["a first byte of 0xFE", [0xfe, 0x74, 0x0a]],
    ["a second byte of 0xFF", [0x74, 0xff, 0x0a]],
  ])("takes a file with %s for no UTF-16 file: its mark is two bytes", async (_case, bytes) => {
    const reads = (await readChunks([Buffer.from(bytes)], '"')).flat();

    expect(reads).toEqual([
      { kind: "header-rejected", line: 1, reason: 'header must contain a "task" column' },
    ]);
  });
});
