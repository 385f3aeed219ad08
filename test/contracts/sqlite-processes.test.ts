import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { openSqliteDatabase } from "@anycloud/server/storage";
import { describe, expect, it } from "vitest";

const STORAGE = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/server/dist/storage/index.js"),
).href;

// One process of several: claims every import id in turn on the shared file, all of them in the same order, and
// prints the ones it won. After a win it waits a millisecond, letting go of the write lock (SQLite's busy handler
// does not queue, and a process that takes the lock again at once can keep the others out for its whole list):
// the others, going through the ids already taken without a pause, catch up and contend for the next one.
const CLAIMER = `
import { openSqliteDatabase, SqliteImportLedger } from ${JSON.stringify(STORAGE)};
const { url, ids } = JSON.parse(process.env.CLAIMS);
const database = await openSqliteDatabase({ url });
const ledger = new SqliteImportLedger(database);
// All start claiming at one signal, once every one of them is ready, however long its start-up took.
process.stdout.write("ready\\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
const won = [];
for (const importId of ids) {
  const now = new Date().toISOString();
  const leaseExpiresAt = new Date(Date.now() + 60_000).toISOString();
  const result = await ledger.claim({ importId, source: { container: "c", key: importId }, now, leaseExpiresAt });
  if (!result.claimed) continue;
  won.push(importId);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
database.close();
console.log(JSON.stringify(won));
`;

// The contract suite's concurrent claims run in one process, where the SQLite driver is synchronous and
// claims never interleave: only separate processes on one file show that a claim is atomic.
describe("SqliteImportLedger, claimed from four processes at once on one file", () => {
  it("gives each import to exactly one of them", async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "anycloud-claims-"));
    let claimers: ReturnType<typeof startClaimer>[] = [];
    try {
      const url = pathToFileURL(path.join(directory, "todos.db")).href;
      // Created once first, so that the processes race on claims, not on creating the schema.
      (await openSqliteDatabase({ url })).close();
      const ids = Array.from({ length: 2_000 }, () => randomUUID());

      claimers = Array.from({ length: 4 }, () => startClaimer({ url, ids }));
      await Promise.all(claimers.map(({ ready }) => ready));
      for (const { child } of claimers) child.stdin!.end("go\n");
      const outputs = await Promise.all(claimers.map(({ done }) => done));

      const won = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
      expect(won).toHaveLength(ids.length);
      expect(new Set(won)).toEqual(new Set(ids));
      // Walking the same ids, more than one won some: they contended for the same ids at the same time.
      const wins = outputs.map(({ stdout }) => (JSON.parse(stdout) as string[]).length);
      expect(wins.filter((count) => count > 0).length, `wins: ${wins}`).toBeGreaterThan(1);
    } finally {
      for (const { child } of claimers) child.kill();
      await rm(directory, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A claiming process: `ready` once it has opened the file, `done` with what it printed after "go". */
function startClaimer(claims: { url: string; ids: string[] }) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CLAIMER], {
    env: { ...process.env, CLAIMS: JSON.stringify(claims) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout!.setEncoding("utf8");
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith("ready\n")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before it was ready`)));
  });
  const done = new Promise<{ stdout: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve({ stdout: stdout.slice("ready\n".length) }) : reject(new Error(`exit ${code}`)),
    );
  });
  return { child, ready, done };
}
