import { ImportFailedError } from "../csv-import/errors.js";
import type { ImportTodos } from "../csv-import/import-todos.js";
import { ValidationError } from "../shared/errors.js";
import { readQuote } from "./query.js";
import { assertCsvBody, limitedBody } from "./read-body.js";
import { jsonReply } from "./responses.js";
import type { Router } from "./router.js";
import { isWellFormedKey } from "./serve-routes.js";

/**
 * `POST /todos/import`: a `text/csv` body streamed through the import use case, answered with its report.
 * With an `Idempotency-Key` the upload has an identity, so sending it again imports nothing twice.
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
    const report = await importTodos.execute(
      { source, quote: readQuote(url) },
      { body: { body: limitedBody(request, csvBytes) } },
    );
    if (report.status === "FAILED") throw new ImportFailedError(report);
    return jsonReply(report);
  });
}
