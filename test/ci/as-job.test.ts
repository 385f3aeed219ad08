// test/support/server-process.ts's asJob, which the Ctrl-Z tests start the server and the CLI with: in a process
// group of its own, a Ctrl-C on the test run never reaches the job, and the runner dies of it without its afterAll.
// The server was left running for good, on its port and its data folder.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { running } from "../support/running.js";
import { asJob } from "../support/server-process.js";

describe.runIf(process.platform === "linux")("a job the tests start", () => {
  it("is in a process group of its own, and ends when the process that started it dies of a Ctrl-C", async () => {
    // A runner in miniature: starts the job, says its pid, and has no handler for SIGINT.
    const [command, args] = asJob(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    const script = `const { spawn } = require("node:child_process");
      const job = spawn(${JSON.stringify(command)}, ${JSON.stringify(args)}, { stdio: "ignore" });
      job.once("spawn", () => console.log(job.pid));
      setInterval(() => {}, 1000);`;
    const runner = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let job: number | undefined;
    try {
      const [line] = (await once(createInterface({ input: runner.stdout! }), "line")) as [string];
      job = Number(line);
      // The perl in between has set the group and become node: the job's pid is its own group's.
      for (
        const deadline = Date.now() + 20_000;
        !readFileSync(`/proc/${job}/cmdline`, "utf8").startsWith(process.execPath) && Date.now() < deadline;
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stat = readFileSync(`/proc/${job}/stat`, "utf8");
      expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2])).toBe(job);

      runner.kill("SIGINT");
      await once(runner, "exit");
      // The kernel kills it as its parent dies; 20 s is only a hang guard.
      for (const deadline = Date.now() + 20_000; running(job) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(running(job)).toBe(false);
    } finally {
      runner.kill("SIGKILL");
      if (job !== undefined && running(job)) process.kill(job, "SIGKILL");
    }
  });
});
