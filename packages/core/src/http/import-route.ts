import { ImportFailedError } from "../csv-import/errors.js";
import type { ImportTodos } from "../csv-import/import-todos.js";
import { ValidationError } from "../shared/errors.js";
import { readQuote } from "./query.js";
import { assertCsvBody, uploadBody } from "./read-body.js";
import { jsonReply } from "./responses.js";
import type { Router } from "./router.js";
import { isWellFormedKey } from "./serve-routes.js";

/**
 * `POST /todos/import`: a `text/csv` body streamed through the import use case, answered with its report.
 * With an `Idempotency-Key` the upload has an identity, so sending it again imports nothing twice. Everything
 * that can refuse the request (media type, coding, key, `quote`, a length over the limit) is checked before
 * the import starts: a refused upload changes nothing.
 */
export function addImportRoute(
  router: Router,
  { importTodos, csvBytes }: { importTodos: ImportTodos; csvBytes: number },
): Router {
  return router.on("POST", "/todos/import", async ({ request, url, requestId }) => {
    assertCsvBody(request);
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key !== undefined && !isWellFormedKey(key)) {
      throw new ValidationError([
        { path: ["Idempotency-Key"], message: "must be 1-128 letters, digits, . _ : -" },
      ]);
    }
    const source =
      key === undefined
        ? { container: "upload", key: requestId }
        : { container: "upload", key, version: key };
    const quote = readQuote(url);
    const body = await uploadBody(request, csvBytes);
    const report = await importTodos.execute({ source, quote }, { body: { body } });
    if (report.status === "FAILED") throw new ImportFailedError(report);
    return jsonReply(report);
  });
}
