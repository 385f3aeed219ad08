import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { javaWorks } from "@anycloud/aws/local";
import { describe, expect, it } from "vitest";

const TEST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Whether `pid` still runs: a process that ended, even one not reaped yet (a zombie), does not. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

describe.runIf(javaWorks() && process.platform === "linux")("DynamoDB Local's process", () => {
  it("is stopped when the process that started it is killed (SIGKILL: no exit handler runs)", async () => {
    const starter = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { startDynamoDbLocal } from "@anycloud/aws/local";
         const dynamoDb = await startDynamoDbLocal();
         console.log(dynamoDb.pid);
         setInterval(() => {}, 1000);`,
      ],
      { cwd: TEST_ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let jvm: number | undefined;
    try {
      const [line] = (await once(createInterface({ input: starter.stdout! }), "line")) as [string];
      jvm = Number(line);
      expect(running(jvm)).toBe(true);

      starter.kill("SIGKILL");
      await once(starter, "exit");
      // The watchdog sees its pipe end and kills the JVM's group at once; 20 s is only a hang guard.
      for (const deadline = Date.now() + 20_000; running(jvm) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(running(jvm)).toBe(false);
    } finally {
      starter.kill("SIGKILL");
      if (jvm !== undefined && running(jvm)) process.kill(-jvm, "SIGKILL");
    }
  }, 60_000);
});
