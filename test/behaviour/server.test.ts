import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serveOverHttp } from "../support/serve-over-http.js";
import { describeTodoApiBehaviour } from "./todo-api.behaviour.js";

describeTodoApiBehaviour("the Node server over HTTP, on SQLite", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-server-"));
  return serveOverHttp({ DATA_DIR: dataDir }, () => rm(dataDir, { recursive: true, force: true }));
});
