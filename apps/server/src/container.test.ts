import { type ImportLedger, silentLogger } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { readConfig } from "./config.js";
import { composeServerApp } from "./container.js";

describe("composeServerApp", () => {
  it("gives the import use case the ledger as decorateLedger wraps it", async () => {
    const claims: string[] = [];
    const app = await composeServerApp(readConfig({ TODO_STORE: "memory" }), silentLogger, {
      decorateLedger: (ledger): ImportLedger => ({
        claim: (claim) => {
          claims.push(claim.importId);
          return ledger.claim(claim);
        },
        finish: (...args) => ledger.finish(...args),
        renew: (...args) => ledger.renew(...args),
        get: (importId) => ledger.get(importId),
      }),
    });
    try {
      const body = (async function* () {
        yield new TextEncoder().encode("task\none\n");
      })();
      const report = await app.importTodos.execute(
        { source: { container: "c", key: "k", version: "v1" }, quote: "auto" },
        { body: { body } },
      );

      expect(report.status).toBe("COMPLETED");
      expect(claims).toEqual([report.importId]);
    } finally {
      await app.close();
    }
  });
});
