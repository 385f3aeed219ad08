// apps/aws/scripts/lambda-node.mjs (pnpm test:lambda-node), run offline against a stand-in `npm` (which packs a
// tiny fake Node) and a stand-in vitest: nothing is downloaded. Covers a cache left in a bad state, and which
// tests the script asks vitest for.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../apps/aws/scripts/lambda-node.mjs", import.meta.url));
const VERSION = "22.23.3";
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository-shaped folder holding the script, a fake `npm` on PATH and a vitest that records its argv. */
function sandbox(): {
  root: string;
  versionDir: string;
  run: (...args: string[]) => ReturnType<typeof spawnSync>;
} {
  const root = mkdtempSync(path.join(tmpdir(), "lambda-node-"));
  roots.push(root);
  mkdirSync(path.join(root, "apps/aws/scripts"), { recursive: true });
  copyFileSync(SCRIPT, path.join(root, "apps/aws/scripts/lambda-node.mjs"));
  mkdirSync(path.join(root, "bin"));
  const npm = path.join(root, "bin/npm");
  // The fake Node runs the fake vitest with the real node (it only has to run a script).
  writeFileSync(
    npm,
    `#!/bin/sh\nmkdir -p package/bin\nprintf '#!/bin/sh\\nif [ "$1" = --version ]; then echo v${VERSION}; exit 0; fi\\nexec ${process.execPath} "$@"\\n' > package/bin/node\nchmod +x package/bin/node\ntar czf n.tgz package && rm -rf package && echo n.tgz\n`,
  );
  chmodSync(npm, 0o755);
  mkdirSync(path.join(root, "node_modules/vitest"), { recursive: true });
  writeFileSync(
    path.join(root, "node_modules/vitest/vitest.mjs"),
    "console.log('VITEST ARGS ' + JSON.stringify(process.argv.slice(2)));",
  );
  const versionDir = path.join(root, "node_modules/.cache/anycloud-lambda-node", VERSION);
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(root, "apps/aws/scripts/lambda-node.mjs"), ...args], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${path.join(root, "bin")}:${process.env.PATH}` },
    });
  return { root, versionDir, run };
}

describe("lambda-node.mjs and its cached Node", () => {
  it("fetches a Node into an empty cache and runs every test under it (control)", () => {
    const { run } = sandbox();
    const result = run();
    expect(result.status, String(result.stderr)).toBe(0);
    // Every project: core runs in every function, the server may run on Node 22 too.
    expect(result.stdout).toContain('VITEST ARGS ["run"]');
  });

  it("recovers from a version folder left without bin/node (a copy or cache restore cut short)", () => {
    const { versionDir, run } = sandbox();
    mkdirSync(path.join(versionDir, "include"), { recursive: true });
    const result = run();
    // Moving the fetched Node onto a folder that is not empty fails (ENOTEMPTY), on every run from then on.
    expect(result.stderr).not.toContain("ENOTEMPTY");
    expect(result.status, String(result.stderr)).toBe(0);
  });

  it("fetches again when the cached bin/node does not run (truncated)", () => {
    const { versionDir, run } = sandbox();
    mkdirSync(path.join(versionDir, "bin"), { recursive: true });
    writeFileSync(path.join(versionDir, "bin/node"), "");
    const result = run();
    expect(result.status, String(result.stderr)).toBe(0);
  });

  it("passes its arguments on to vitest (folders, -t <name>)", () => {
    const { run } = sandbox();
    const result = run("test/aws", "-t", "Location");
    expect(result.status, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('VITEST ARGS ["run","test/aws","-t","Location"]');
  });
});
