import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serveOverHttp } from "../support/serve-over-http.js";
import { CORS_ORIGINS, describeTodoApiBehaviour } from "./todo-api.behaviour.js";

describeTodoApiBehaviour(
  "the Node server over HTTP, on SQLite, with CORS_ORIGINS",
  async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "anycloud-server-"));
    const env = { DATA_DIR: dataDir, CORS_ORIGINS: CORS_ORIGINS.join(", ") };
    return serveOverHttp(env, () => rm(dataDir, { recursive: true, force: true }));
  },
  { cors: true },
);
