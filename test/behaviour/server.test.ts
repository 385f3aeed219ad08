import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@anycloud/core";
import { composeServerApp, readConfig, startHttpServer } from "@anycloud/server";
import { pino } from "pino";
import { forwardTo } from "../support/forward-to.js";
import { describeTodoApiBehaviour } from "./todo-api.behaviour.js";

describeTodoApiBehaviour("the Node server over HTTP, on SQLite", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-server-"));
  const config = readConfig({ DATA_DIR: dataDir, PORT: "0" });
  const app = await composeServerApp(config, silentLogger);
  const running = await startHttpServer(app.api, {
    port: 0,
    host: "127.0.0.1",
    logger: pino({ level: "silent" }),
  });
  return {
    invoke: forwardTo(running.url),
    dispose: async () => {
      await running.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
