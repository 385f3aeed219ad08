import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = path.join(REPOSITORY, "node_modules/@biomejs/biome/bin/biome");

export interface BiomeDiagnostic {
  category: string;
  severity: string;
  location: { start: { line: number } };
}

/**
 * What `biome <command>` says of a probe file holding `text`, placed for the call at `file` (relative to the
 * repository, where biome.json's rules for that path apply) and removed after it.
 */
export function biomeDiagnosticsFor(
  file: string,
  text: string,
  command: "lint" | "check",
): BiomeDiagnostic[] {
  const probe = path.join(REPOSITORY, file);
  writeFileSync(probe, text);
  try {
    const run = spawnSync(process.execPath, [BIOME, command, "--reporter=json", probe], {
      cwd: REPOSITORY,
      encoding: "utf8",
    });
    return (JSON.parse(run.stdout) as { diagnostics: BiomeDiagnostic[] }).diagnostics;
  } finally {
    rmSync(probe, { force: true });
  }
}
