import { createHash, randomUUID } from "node:crypto";
import { CsvHeaderRejectedError, ImportFailedError } from "../csv-import/errors.js";
import type { ImportReport } from "../csv-import/import-report.js";
import type { ImportTodos } from "../csv-import/import-todos.js";
import type { ObjectRef } from "../csv-import/ports/object-source.js";
import { InvalidParameterError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import type { ImportSlots } from "./import-slots.js";
import { readQuote } from "./query.js";
import { assertCsvBody, assertDeclaredLength, type BodyMemory, replay, useUploadBody } from "./read-body.js";
import { jsonReply, type Reply } from "./responses.js";
import type { Router } from "./router.js";
import { isWellFormedKey } from "./serve-routes.js";

/**
 * `POST /todos/import`: a `text/csv` body streamed through the import use case, answered with its report.
 * Everything that can refuse the request (media type, coding, key, `quote`, a length over the limit) is
 * checked before the import starts: a refused upload changes nothing.
 *
 * With an `Idempotency-Key` the upload has an identity, so sending it again imports nothing twice. Its body is
 * read whole first (within the limit), for its digest: the same key sent with another body, or with another
 * `quote`, is refused (422), not answered with the earlier report while the new rows are dropped.
 *
 * A body read whole (with a key, or chunked) is held against `memory` until its import ends: beyond it, the
 * upload is refused (503, `Retry-After`) rather than held. So is an upload that finds every one of `slots` taken.
 */
export function addImportRoute(
  router: Router,
  {
    importTodos,
    csvBytes,
    memory,
    slots,
  }: { importTodos: ImportTodos; csvBytes: number; memory: BodyMemory; slots: ImportSlots },
): Router {
  return router.on("POST", "/todos/import", async ({ request, url, requestId }) => {
    assertCsvBody(request);
    const key = idempotencyKeyOf(request);
    const quote = readQuote(url);
    const signal = request.signal ? { signal: request.signal } : {};
    // A length over the limit is refused before a slot is looked for: told 503 when the slots were all taken, its
    // client sent it again for nothing, to be refused 413 once one was free.
    assertDeclaredLength(request, csvBytes);
    // A slot is taken before the body is read: an upload refused for want of one is refused whole.
    return slots.use(() =>
      key === undefined
        ? useUploadBody(request, csvBytes, memory, async (body) => {
            // Every upload without a key is an import of its own: a random version says so (no warning is due).
            const source = { container: "upload", key: requestId, version: randomUUID() };
            return answer(await importTodos.execute({ source, quote }, { body: { body }, ...signal }));
          })
        : memory.useWhole(request, csvBytes, async (bytes) => {
            const source = keyedSource(key, quote, bytes);
            const body = { body: replay(bytes), size: bytes.length };
            return answer(await importTodos.execute({ source, quote }, { body, ...signal }));
          }),
    );
  });
}

/**
 * An upload's source under its `Idempotency-Key`, with a fingerprint of what was asked. The quote is part of it:
 * the same bytes read with other quotes are other rows. The default leaves the digest as it was before the quote
 * counted, so that a retry made across that change still matches its first upload.
 */
function keyedSource(key: string, quote: string, bytes: Uint8Array): ObjectRef {
  const hash = createHash("sha256");
  if (quote !== "auto") hash.update(`quote=${quote}\n`);
  const fingerprint = `sha256:${hash.update(bytes).digest("base64url")}`;
  return { container: "upload", key, version: key, fingerprint };
}

function answer(report: ImportReport): Reply {
  if (report.status === "FAILED") throw new ImportFailedError(report);
  if (report.headerRejected) throw new CsvHeaderRejectedError(report);
  return jsonReply(report);
}

/**
 * The `Idempotency-Key`: as the IETF draft writes it, a Structured Field string (`"…"`), or the bare value;
 * 1-128 letters, digits, `.`, `_`, `:` or `-`.
 */
function idempotencyKeyOf(request: HttpRequest): string | undefined {
  const header = request.headers.get("idempotency-key");
  if (header === null) return undefined;
  const value = header.trim();
  const key = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  if (!isWellFormedKey(key)) {
    throw new InvalidParameterError(
      "Idempotency-Key",
      'Idempotency-Key must be 1-128 letters, digits, ".", "_", ":" or "-", bare or in double quotes.',
    );
  }
  return key;
}
