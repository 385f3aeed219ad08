import { TODO_REPOSITORY } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { readAwsConfig } from "../../apps/aws/src/composition/config.js";
import { compose } from "../../apps/aws/src/composition/container.js";
import { dynamoDbStorage } from "../../apps/aws/src/composition/modules/dynamodb-storage.js";
import { DYNAMODB_CLIENT } from "../../apps/aws/src/composition/tokens.js";

// The functions' settings, as serverless.yml gives them in the environment, and the container composed from them.

const TABLES = { TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };

describe("readAwsConfig", () => {
  it("reads every setting the environment gives", () => {
    expect(
      readAwsConfig({
        ...TABLES,
        CURSOR_SECRET: "a-secret-of-at-least-16-bytes",
        DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
        S3_ENDPOINT: "http://127.0.0.1:4569",
        LOG_LEVEL: "debug",
        CORS_ORIGINS: "https://todo.example.com",
      }),
    ).toEqual({
      todosTable: "todos",
      importsTable: "imports",
      cursorSecret: "a-secret-of-at-least-16-bytes",
      dynamoDbEndpoint: "http://127.0.0.1:8000",
      s3Endpoint: "http://127.0.0.1:4569",
      logLevel: "debug",
      corsOrigins: ["https://todo.example.com"],
    });
  });

  it.each([
    ["unset", {}],
    ["empty", { CURSOR_SECRET: "", DYNAMODB_ENDPOINT: "", S3_ENDPOINT: "", LOG_LEVEL: "" }],
  ])("takes the defaults for the optional settings when they are %s", (_, optional) => {
    expect(readAwsConfig({ ...TABLES, ...optional })).toEqual({
      todosTable: "todos",
      importsTable: "imports",
      cursorSecret: undefined,
      dynamoDbEndpoint: undefined,
      s3Endpoint: undefined,
      logLevel: "info",
      corsOrigins: [],
    });
  });

  it.each(["verbose", "silent", "ERROR"])(
    "refuses, at load, the LOG_LEVEL %s, which the logger does not know",
    (level) => {
      expect(() => readAwsConfig({ ...TABLES, LOG_LEVEL: level })).toThrow(
        `LOG_LEVEL must be one of debug, info, warn, error, not "${level}".`,
      );
    },
  );

  it.each(["TODOS_TABLE", "IMPORTS_TABLE"])("refuses, at load, an environment without %s", (name) => {
    expect(() => readAwsConfig({ ...TABLES, [name]: "" })).toThrow(`${name} is not set.`);
    expect(() => readAwsConfig({ ...TABLES, [name]: undefined })).toThrow(`${name} is not set.`);
  });
});

describe("compose", () => {
  it("makes each service once per function, at its cold start: one DynamoDB client, one repository", () => {
    const container = compose([dynamoDbStorage], readAwsConfig(TABLES));

    expect(container.get(DYNAMODB_CLIENT)).toBe(container.get(DYNAMODB_CLIENT));
    expect(container.get(TODO_REPOSITORY)).toBe(container.get(TODO_REPOSITORY));
  });
});
