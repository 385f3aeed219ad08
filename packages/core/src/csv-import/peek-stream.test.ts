import { describe, expect, it } from "vitest";
import { peekStream } from "./peek-stream.js";

function source(chunks: string[]) {
  const state = { pulled: 0, closed: false };
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let index = 0;
      return {
        async next() {
          if (index === chunks.length) return { done: true, value: undefined };
          state.pulled += 1;
          return { done: false, value: Buffer.from(chunks[index++]!) };
        },
        async return() {
          state.closed = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, state };
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let all = "";
  for await (const chunk of chunks) all += Buffer.from(chunk).toString();
  return all;
}

describe("peekStream", () => {
  it("reads ahead until enough bytes are in, then replays the whole stream", async () => {
    const { iterable, state } = source(["ab", "cd", "ef", "gh"]);

    const peeked = await peekStream(iterable, { maxBytes: 3, maxLineFeeds: 10 });

    expect(Buffer.from(peeked.head).toString()).toBe("abcd");
    expect(peeked.endOfFile).toBe(false);
    expect(state.pulled).toBe(2);
    expect(await text(peeked.chunks)).toBe("abcdefgh");
  });

  it("stops reading ahead after enough lines", async () => {
    const { iterable, state } = source(["a\nb\n", "c\n", "d\n"]);

    const peeked = await peekStream(iterable, { maxBytes: 1000, maxLineFeeds: 2 });

    expect(state.pulled).toBe(1);
    expect(await text(peeked.chunks)).toBe("a\nb\nc\nd\n");
  });

  it("says when the head is the whole stream", async () => {
    const peeked = await peekStream(source(["a", "b"]).iterable, { maxBytes: 1000, maxLineFeeds: 10 });

    expect(peeked.endOfFile).toBe(true);
    expect(await text(peeked.chunks)).toBe("ab");
  });

  it("reads nothing ahead with maxBytes 0", async () => {
    const { iterable, state } = source(["a", "b"]);

    const peeked = await peekStream(iterable, { maxBytes: 0, maxLineFeeds: 10 });

    expect(state.pulled).toBe(0);
    expect(await text(peeked.chunks)).toBe("ab");
  });

  it("tells the size of each chunk as it is replayed", async () => {
    const sizes: number[] = [];
    const peeked = await peekStream(source(["abc", "de", "f"]).iterable, {
      maxBytes: 4,
      maxLineFeeds: 10,
      onChunk: (bytes) => sizes.push(bytes),
    });

    expect(sizes).toEqual([]);
    await text(peeked.chunks);
    expect(sizes).toEqual([3, 2, 1]);
  });

  it("closes the source when the replay is stopped early", async () => {
    const { iterable, state } = source(["a", "b", "c", "d"]);
    const peeked = await peekStream(iterable, { maxBytes: 1, maxLineFeeds: 10 });

    for await (const _chunk of peeked.chunks) break;

    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(1);
  });

  it("closes the source when the replay is returned before it starts (a header refused at a look)", async () => {
    const { iterable, state } = source(["a", "b", "c", "d"]);
    const peeked = await peekStream(iterable, { maxBytes: 1, maxLineFeeds: 10 });

    await peeked.chunks.return(undefined);

    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(1);
  });

  it("counts an LF that starts a chunk", async () => {
    const { iterable, state } = source(["\n", "\nx", "y"]);

    const { head } = await peekStream(iterable, { maxBytes: 100, maxLineFeeds: 2 });

    expect(Buffer.from(head).toString()).toBe("\n\nx");
    expect(state.pulled).toBe(2);
  });

  it("stops early a source whose iterator has no return method", async () => {
    let index = 0;
    const endless: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: Buffer.from(`${index++}\n`) }),
      }),
    };

    const { chunks } = await peekStream(endless, { maxBytes: 1, maxLineFeeds: 10 });
    const replayed: string[] = [];
    for await (const chunk of chunks) {
      replayed.push(Buffer.from(chunk).toString());
      if (replayed.length === 3) break;
    }

    expect(replayed).toEqual(["0\n", "1\n", "2\n"]);
  });
});
