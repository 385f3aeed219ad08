import { createLambdaHttpHandler } from "@anycloud/adapters-aws/http";
import type { TodoApi } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { readAwsConfig } from "../../apps/aws/src/composition/config.js";
import { resolve } from "../../apps/aws/src/composition/container.js";
import { dynamoDbStorage } from "../../apps/aws/src/composition/modules/dynamodb-storage.js";
import { todoApi } from "../../apps/aws/src/composition/modules/todo-api.js";
import { TODO_API } from "../../apps/aws/src/composition/tokens.js";
import { httpApiEventFrom, responseFromResult } from "../support/aws/lambda-http-events.js";

// The api function serves the HTTP API's catch-all route ($default). API Gateway does CORS when the stage
// parameter corsOrigins is set, but if a preflight reaches the function anyway (see serverless.yml), the
// function must answer it as a preflight: 204, not core's 405. A preflight touches no table: none is reached.

const PAGE = "https://todo.example.com";
const environment = {
  TODOS_TABLE: "todos",
  IMPORTS_TABLE: "imports",
  DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
  AWS_REGION: "eu-west-1",
};

/** The api function as its module composes it, from `env`. */
function apiFunction(env: NodeJS.ProcessEnv) {
  return createLambdaHttpHandler(resolve<TodoApi>(TODO_API, [dynamoDbStorage, todoApi], readAwsConfig(env)));
}

async function preflight(handler: ReturnType<typeof apiFunction>, path: string, method: string) {
  const event = await httpApiEventFrom(
    new Request(`https://api.example.com${path}`, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": method },
    }),
  );
  return responseFromResult(await handler(event, { awsRequestId: "req-1" }));
}

describe("the api function's CORS_ORIGINS", () => {
  it("reads the origins serverless.yml gives, none when unset", () => {
    expect(
      readAwsConfig({ ...environment, CORS_ORIGINS: `${PAGE},http://localhost:5173` }).corsOrigins,
    ).toEqual([PAGE, "http://localhost:5173"]);
    expect(readAwsConfig(environment).corsOrigins).toEqual([]);
  });

  it.each([
    ["its own route", "/todos/6f1c5a4e-1111-4a2b-9c3d-123456789abc", "PATCH", "GET, PATCH, DELETE, HEAD"],
    ["another function's route", "/todo/add", "POST", "POST"],
    ["the uploads' route", "/todos/import", "POST", "POST"],
  ])(
    "answers a preflight that reaches it, to %s, 204 for an allowed page",
    async (_, path, method, methods) => {
      const response = await preflight(apiFunction({ ...environment, CORS_ORIGINS: PAGE }), path, method);

      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
      expect(response.headers.get("access-control-allow-methods")).toBe(methods);
    },
  );

  it("answers a preflight 405, with no CORS header, when CORS is off", async () => {
    const response = await preflight(apiFunction(environment), "/todo/add", "POST");

    expect(response.status).toBe(405);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses, at load, an origin that the package-time check would have stopped", () => {
    expect(() => apiFunction({ ...environment, CORS_ORIGINS: `${PAGE}/` })).toThrow(
      /not an origin as browsers send it/,
    );
  });
});
