/**
 * `content` in chunks of `chunkSize` bytes, each after a pause, as a body arrives over a network: long enough for
 * concurrent imports of it to overlap.
 */
export async function* slowBody(content: string | Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  for (let at = 0; at < bytes.length; at += chunkSize) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield bytes.subarray(at, at + chunkSize);
  }
}
