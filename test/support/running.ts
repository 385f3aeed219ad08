import { readFileSync } from "node:fs";

/** Whether `pid` still runs (Linux): a process that ended, even one not reaped yet (a zombie), does not. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
