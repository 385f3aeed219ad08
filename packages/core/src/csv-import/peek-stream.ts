/** A byte stream whose first chunks were read ahead for a look. */
export interface PeekedStream {
  /** The first bytes read, concatenated: at least `maxBytes` or `maxLineFeeds` lines, unless the stream is shorter. */
  head: Uint8Array;
  /** True when `head` is the whole stream. */
  endOfFile: boolean;
  /** The whole stream again from its first byte. Ending its iteration early closes the source. */
  chunks: AsyncGenerator<Uint8Array>;
}

export interface PeekLimits {
  /** Stop reading ahead once this many bytes are in (0: read nothing ahead). */
  maxBytes: number;
  /** Stop reading ahead once this many LFs are in. */
  maxLineFeeds: number;
  /** Told the size of every chunk as `chunks` yields it. */
  onChunk?: (bytes: number) => void;
}

/** Reads the start of a stream, keeping its chunks as they came, to replay them before the rest. */
export async function peekStream(
  source: AsyncIterable<Uint8Array>,
  limits: PeekLimits,
): Promise<PeekedStream> {
  const rest = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  let lineFeeds = 0;
  let endOfFile = false;
  while (size < limits.maxBytes && lineFeeds < limits.maxLineFeeds) {
    const next = await rest.next();
    if (next.done) {
      endOfFile = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
    for (let at = next.value.indexOf(0x0a); at >= 0; at = next.value.indexOf(0x0a, at + 1)) lineFeeds += 1;
  }
  const unread = endOfFile ? undefined : rest;
  return {
    head: head.length === 1 ? head[0]! : Buffer.concat(head),
    endOfFile,
    chunks: closingBeforeStart(replay(head, unread, limits.onChunk), unread),
  };
}

/**
 * `chunks`, whose `return` before a first `next` closes `source` too. A generator returned before it starts ends
 * without running its `finally`: the source, already read from, stayed open (a UTF-16 file's S3 response, whose
 * header is refused before the replay starts).
 */
function closingBeforeStart(
  chunks: AsyncGenerator<Uint8Array>,
  source: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<Uint8Array> {
  const next = chunks.next.bind(chunks);
  const end = chunks.return.bind(chunks);
  let started = false;
  return Object.assign(chunks, {
    next: () => {
      started = true;
      return next();
    },
    return: async (value: undefined) => {
      if (!started) await source?.return?.();
      return end(value);
    },
  });
}

async function* replay(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array> | undefined,
  onChunk: ((bytes: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  let done = rest === undefined;
  try {
    for (const chunk of head) {
      onChunk?.(chunk.length);
      yield chunk;
    }
    while (rest && !done) {
      const next = await rest.next();
      done = next.done === true;
      if (next.done) return;
      onChunk?.(next.value.length);
      yield next.value;
    }
  } finally {
    if (!done) await rest?.return?.();
  }
}
