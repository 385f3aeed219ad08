import { silentLogger } from "@anycloud/core";
import { composeServerApp, readConfig, startHttpServer } from "@anycloud/server";
import { pino } from "pino";
import type { ApiUnderTest } from "../behaviour/todo-api.behaviour.js";
import { forwardTo } from "./forward-to.js";

/**
 * The Node server, composed from `env` as `main.ts` would, listening on a free loopback port: an API under
 * test reached over real HTTP. `cleanup` runs after the server and its store are closed.
 */
export async function serveOverHttp(
  env: Record<string, string>,
  cleanup?: () => Promise<void>,
): Promise<ApiUnderTest> {
  const app = await composeServerApp(readConfig({ ...env, PORT: "0" }), silentLogger);
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
      await cleanup?.();
    },
  };
}
