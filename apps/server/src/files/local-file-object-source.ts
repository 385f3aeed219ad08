import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { type FileHandle, open, realpath, stat } from "node:fs/promises";
import { ObjectNotFoundError, type ObjectRef, type ObjectSource, type OpenedObject } from "@anycloud/core";

/** The container name of objects that are files on this machine. */
export const LOCAL_FILES = "file";

// 64 KiB reads: the parser turns each chunk into one batch of records held at once, and 256 KiB chunks made
// `todo import` of 1M rows peak at 140 MiB RSS where 64 KiB ones peak at 119-124 MiB, at the same speed (two
// runs each, side by side). The progress bar also runs at most one chunk ahead of the rows.
const CHUNK_BYTES = 64 * 1024;

/**
 * Files on the local disk as objects, for `todo import <file.csv>`. A file's version is the SHA-256 of its
 * bytes, read once before its import starts: importing the same bytes again is answered from the ledger, even
 * after the file was saved unchanged (a new modification time), and other bytes are a new import, even at the
 * same size and modification time (`cp -p`, `rsync -t`). Hashing costs a read of the file, which the page cache
 * then serves to the import.
 *
 * `open` opens the file at once (an unreadable file fails there, before any import is recorded) and reads
 * exactly the bytes of the version it found. A file that changes while it is read (still being written, or
 * saved again) fails with `FileChangedError` at the next chunk: its import would otherwise be recorded under
 * a version whose bytes are not the ones read, and go on writing rows that importing the finished file,
 * a new version, writes again.
 */
export class LocalFileObjectSource implements ObjectSource {
  /**
   * The ref of a file. The key is the file's real path, links resolved: the same file reached through a
   * symlink or `..` is the same import, not a second one with new ids.
   */
  static async refOf(filePath: string): Promise<ObjectRef> {
    assertFile(await stat(filePath), filePath);
    return { container: LOCAL_FILES, key: await realpath(filePath) };
  }

  /** The file as it is now, or, with `ref.version`, only if it is still at that version. */
  async open(ref: ObjectRef): Promise<OpenedObject> {
    if (ref.container !== LOCAL_FILES) throw new Error(`Not a local file: ${ref.container}/${ref.key}`);
    // Checked before opening too: opening a named pipe waits for a writer.
    assertFile(await stat(ref.key), ref.key);
    const handle = await open(ref.key, "r");
    try {
      const info = await handle.stat();
      assertFile(info, ref.key);
      const version = await digestOf(handle, ref.key, info);
      if (ref.version !== undefined && ref.version !== version) throw new ObjectNotFoundError(ref);
      return { body: bytesOf(handle, ref.key, info), size: info.size, version };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}

/** Bytes hashed per read: large reads, since the digest holds none of them. */
const DIGEST_READ_BYTES = 1024 * 1024;

/**
 * `sha256:` and the base64url SHA-256 of the open file's first `info.size` bytes, read by position (the body
 * then reads from the start). A file written to meanwhile fails with `FileChangedError`.
 */
async function digestOf(handle: FileHandle, filePath: string, info: Stats): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(Math.min(DIGEST_READ_BYTES, Math.max(1, info.size)));
  for (let position = 0; position < info.size; ) {
    const length = Math.min(buffer.length, info.size - position);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    if (bytesRead === 0) throw new FileChangedError(filePath);
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  if (statVersionOf(await handle.stat()) !== statVersionOf(info)) throw new FileChangedError(filePath);
  return `sha256:${hash.digest("base64url")}`;
}

/**
 * The first `info.size` bytes of the open file, then a check that it is still at that version. The file is
 * closed when they are read, or when the body is let go of: through its iterator's `return`, which closes it
 * even before the first read (a generator's own `finally` would not run then).
 */
function bytesOf(handle: FileHandle, filePath: string, info: Stats): AsyncIterable<Uint8Array> {
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= handle.close();
    return closing;
  };
  const version = statVersionOf(info);
  // An fstat per 64 KiB chunk: a change stops the import within a chunk of rows.
  const assertUnchanged = async () => {
    if (statVersionOf(await handle.stat()) !== version) throw new FileChangedError(filePath);
  };
  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      if (info.size > 0) {
        const stream = handle.createReadStream({
          start: 0,
          end: info.size - 1,
          highWaterMark: CHUNK_BYTES,
          autoClose: false,
        });
        for await (const chunk of stream) {
          await assertUnchanged();
          yield chunk;
        }
      }
      await assertUnchanged();
    } finally {
      await close();
    }
  }
  const bytes = read();
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => bytes.next(),
    return: async () => {
      await bytes.return(undefined);
      await close();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/**
 * What a write to the file changes: its size, its modification time, and its change time, which a write sets
 * whatever is done to the modification time after (`cp -p`, `touch -r` put that back); and the file itself
 * (its inode), should another be renamed over the path.
 */
function statVersionOf(info: Stats): string {
  return `${info.ino}-${info.size}-${info.mtimeMs}-${info.ctimeMs}`;
}

function assertFile(info: Stats, filePath: string): void {
  if (!info.isFile()) throw new NotAFileError(`${filePath} is not a file.`);
}

/** The path names a directory, a device or a pipe: there is no file to import. */
export class NotAFileError extends Error {}

/** The file was written to while it was read: what was read is no one version of it. */
export class FileChangedError extends Error {
  constructor(filePath: string) {
    super(
      `${filePath} changed while it was read, and its import stopped. The rows imported so far stay; the ` +
        "changed file is a new version, and importing it imports those rows again.",
    );
  }
}
