import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "./config.js";

describe("readConfig", () => {
  it("defaults to SQLite in ./.data on 127.0.0.1:3000", () => {
    expect(readConfig({})).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      store: "sqlite",
      dataDir: path.resolve(".data"),
      cursorSecret: undefined,
      jsonBodyLimit: 65_536,
      bodyMemoryLimit: 64 * 1024 * 1024,
      bodyMinRate: 500,
      maxConnections: 1000,
    });
  });

  it("reads every variable", () => {
    const config = readConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      TODO_STORE: "memory",
      DATA_DIR: "/tmp/x",
      CURSOR_SECRET: "s".repeat(32),
      JSON_BODY_LIMIT: "1024",
      CSV_BODY_LIMIT: "2048",
      BODY_MEMORY_LIMIT: "4096",
      IMPORT_CONCURRENCY: "3",
      BODY_MIN_RATE: "0",
      MAX_CONNECTIONS: "50",
      LOG_LEVEL: "debug",
      SHUTDOWN_TIMEOUT_MS: "2500",
      S3_ENDPOINT: "http://127.0.0.1:4568",
      CORS_ORIGINS: "https://app.example.com",
    });

    expect(config).toEqual({
      port: 8080,
      host: "0.0.0.0",
      store: "memory",
      dataDir: "/tmp/x",
      cursorSecret: "s".repeat(32),
      jsonBodyLimit: 1024,
      csvBodyLimit: 2048,
      bodyMemoryLimit: 4096,
      importConcurrency: 3,
      bodyMinRate: 0,
      maxConnections: 50,
      logLevel: "debug",
      shutdownTimeoutMs: 2500,
      dynamoDb: undefined,
      s3Endpoint: "http://127.0.0.1:4568",
      corsOrigins: ["https://app.example.com"],
    });
  });

  it("reads the DynamoDB tables for TODO_STORE=dynamodb", () => {
    expect(
      readConfig({ TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" }).dynamoDb,
    ).toEqual({
      todosTable: "todos",
      importsTable: "imports",
    });
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "70000"],
    ["PORT", " "],
    ["PORT", "0x50"],
    ["PORT", "1e3"],
    ["SHUTDOWN_TIMEOUT_MS", " "],
    ["JSON_BODY_LIMIT", "-1"],
    ["JSON_BODY_LIMIT", "1.5"],
    ["BODY_MEMORY_LIMIT", "0"],
    ["IMPORT_CONCURRENCY", "0"],
    ["IMPORT_CONCURRENCY", "1001"],
    ["BODY_MIN_RATE", "-1"],
    ["BODY_MIN_RATE", "1048577"],
    ["MAX_CONNECTIONS", "0"],
    ["MAX_CONNECTIONS", "1000001"],
    ["TODO_STORE", "postgres"],
    ["LOG_LEVEL", "verbose"],
    ["HOST", " "],
    ["CURSOR_SECRET", "short"],
    ["CORS_ORIGINS", "https://app.example.com/"],
    ["CORS_ORIGINS", "https://app.example.com/api"],
    ["CORS_ORIGINS", "app.example.com"],
    ["CORS_ORIGINS", "https://App.example.com"],
    ["CORS_ORIGINS", "https://app.example.com:443"],
    ["CORS_ORIGINS", "null"],
    ["CORS_ORIGINS", "*, https://app.example.com"],
    ["CORS_ORIGINS", "https://app.example.com http://localhost:5173"],
  ])("names %s when its value %j is unusable", (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});

describe("readConfig's DATA_DIR", () => {
  it("takes a path with blanks or a ~ inside it, but not one that starts with ~", () => {
    expect(readConfig({ DATA_DIR: "/srv/my todos/a~b" }).dataDir).toBe("/srv/my todos/a~b");
    expect(() => readConfig({ DATA_DIR: "~/todos" })).toThrow(ConfigError);
  });

  it.each(["~/todos", "~", "~todo/data", " /srv/todos", "/srv/todos "])(
    "refuses %j, which would make a directory of that name in the working directory",
    (value) => {
      expect(() => readConfig({ DATA_DIR: value })).toThrow(ConfigError);
      expect(() => readConfig({ DATA_DIR: value })).toThrow(
        "DATA_DIR must be a path that does not start with ~",
      );
    },
  );

  it("checks it for SQLite only: another store does not use it", () => {
    expect(readConfig({ TODO_STORE: "memory", DATA_DIR: " ~/todos" }).store).toBe("memory");
    expect(() => readConfig({ TODO_STORE: "sqlite", DATA_DIR: " ~/todos" })).toThrow(ConfigError);
  });
});

describe("readConfig's CORS_ORIGINS", () => {
  it("leaves CORS off when unset or blank", () => {
    expect(readConfig({}).corsOrigins).toEqual([]);
    expect(readConfig({ CORS_ORIGINS: " , " }).corsOrigins).toEqual([]);
  });

  it("reads origins separated by commas, with blanks around them", () => {
    const config = readConfig({
      CORS_ORIGINS: "https://app.example.com, http://localhost:5173,http://[::1]:8080",
    });

    expect(config.corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
      "http://[::1]:8080",
    ]);
  });

  it("reads * as any origin", () => {
    expect(readConfig({ CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
  });

  it("refuses a pattern of origins, which core does not match by", () => {
    expect(() => readConfig({ CORS_ORIGINS: "https://*.example.com" })).toThrow(
      /CORS_ORIGINS .*"https:\/\/\*\.example\.com" is not one \(a pattern: list each origin, or give \* alone for any\)/,
    );
  });

  it("says which spelling of an origin browsers send, for one they never send", () => {
    expect(() => readConfig({ CORS_ORIGINS: "https://App.example.com:443/" })).toThrow(
      /CORS_ORIGINS .*"https:\/\/App\.example\.com:443\/" is not one \(did you mean https:\/\/app\.example\.com\?\)/,
    );
  });
});

describe("readConfig with TODO_STORE=dynamodb", () => {
  it("reads the tables and the endpoint", () => {
    const config = readConfig({
      TODO_STORE: "dynamodb",
      TODOS_TABLE: "todos",
      IMPORTS_TABLE: "imports",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
    });

    expect(config.dynamoDb).toEqual({
      todosTable: "todos",
      importsTable: "imports",
      endpoint: "http://127.0.0.1:8000",
    });
  });

  it.each([
    ["DYNAMODB_ENDPOINT", "localhost:8000"],
    ["DYNAMODB_ENDPOINT", "127.0.0.1:8000"],
    ["DYNAMODB_ENDPOINT", "htp://127.0.0.1:8000"],
    ["DYNAMODB_ENDPOINT", "http://127.0.0.1:99999"],
    ["DYNAMODB_ENDPOINT", "http://127.0.0.1:8000/dynamodb"],
    ["S3_ENDPOINT", "localhost:4568"],
    ["S3_ENDPOINT", "http://127.0.0.1:4568/uploads"],
    ["S3_ENDPOINT", "http://127.0.0.1:4568?x=1"],
  ])("refuses %s=%s, which the SDK would fail on at every request, naming it", (name, value) => {
    const env = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports", [name]: value };

    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(new RegExp(`^${name} must be an http:// or https:// URL`));
  });

  it("takes an endpoint with a trailing slash, or https", () => {
    const env = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };

    expect(readConfig({ ...env, DYNAMODB_ENDPOINT: "http://localhost:8000/" }).dynamoDb?.endpoint).toBe(
      "http://localhost:8000/",
    );
    expect(readConfig({ ...env, S3_ENDPOINT: "https://s3.example.com" }).s3Endpoint).toBe(
      "https://s3.example.com",
    );
  });

  it("does not repeat credentials written into an endpoint", () => {
    const env = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };

    expect(() => readConfig({ ...env, DYNAMODB_ENDPOINT: "http://key:s3cret@127.0.0.1:8000" })).toThrow(
      /^(?!.*s3cret).*"http:\/\/…@127\.0\.0\.1:8000\/"\.$/,
    );
  });

  it.each([
    // Refused by the URL parser (the port), or read as a scheme and a path (no `http://`).
    ["http://key:s3cret@127.0.0.1:99999", "http://…@127.0.0.1:99999"],
    ["key:s3cret@127.0.0.1:8000", "…@127.0.0.1:8000"],
    ["http://key:s3/cret@127.0.0.1:8000", "http://…@127.0.0.1:8000"],
    // A scheme with a digit is kept whole.
    ["h2c://key:s3cret@127.0.0.1:99999", "h2c://…@127.0.0.1:99999"],
  ])("does not repeat credentials in an endpoint that is no URL either: %s", (value, shown) => {
    const env = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };

    expect(() => readConfig({ ...env, DYNAMODB_ENDPOINT: value })).toThrow(ConfigError);
    expect(() => readConfig({ ...env, DYNAMODB_ENDPOINT: value })).toThrow(`not "${shown}".`);
    // S3_ENDPOINT is checked by the same rule, and refused in the same words.
    expect(() => readConfig({ ...env, S3_ENDPOINT: value })).toThrow(ConfigError);
    expect(() => readConfig({ ...env, S3_ENDPOINT: value })).toThrow(`S3_ENDPOINT must be`);
    expect(() => readConfig({ ...env, S3_ENDPOINT: value })).toThrow(`not "${shown}".`);
  });

  it("names the missing table variables", () => {
    expect(() => readConfig({ TODO_STORE: "dynamodb", TODOS_TABLE: "todos" })).toThrow(/IMPORTS_TABLE/);
  });

  it("takes a name of 3 to 255 letters, digits, _, - and ., and none longer", () => {
    const names = { TODOS_TABLE: "a.b", IMPORTS_TABLE: `My_Imports-2.${"x".repeat(242)}` };
    expect(readConfig({ TODO_STORE: "dynamodb", ...names }).dynamoDb).toMatchObject({
      todosTable: names.TODOS_TABLE,
      importsTable: names.IMPORTS_TABLE,
    });
    expect(() =>
      readConfig({ TODO_STORE: "dynamodb", ...names, IMPORTS_TABLE: `${names.IMPORTS_TABLE}x` }),
    ).toThrow(ConfigError);
  });

  it.each([
    ["TODOS_TABLE", "todos "],
    ["TODOS_TABLE", " "],
    ["TODOS_TABLE", "my todos"],
    ["IMPORTS_TABLE", "im"],
    ["IMPORTS_TABLE", "i".repeat(256)],
    ["IMPORTS_TABLE", "imports/2026"],
    ["IMPORTS_TABLE", "arn:aws:dynamodb:eu-west-1:123456789012:table/imports"],
  ])(
    "refuses %s=%j, a table name DynamoDB would refuse on every request, naming the variable",
    (name, value) => {
      const env = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports", [name]: value };
      expect(() => readConfig(env)).toThrow(ConfigError);
      expect(() => readConfig(env)).toThrow(`${name} must be a DynamoDB table's name`);
    },
  );
});

describe("readConfig's edges, which survived mutation", () => {
  const dynamo = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };

  it.each(["fatal", "error", "warn", "info", "debug", "trace", "silent"])("takes LOG_LEVEL=%s", (level) => {
    expect(readConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it("logs at info by default, and lists the levels for one it does not know", () => {
    expect(readConfig({}).logLevel).toBe("info");
    expect(() => readConfig({ LOG_LEVEL: "verbose" })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "verbose".',
    );
  });

  it("takes a CURSOR_SECRET of exactly 16 bytes, and says how long one must be", () => {
    expect(readConfig({ CURSOR_SECRET: "s".repeat(16) }).cursorSecret).toBe("s".repeat(16));
    expect(() => readConfig({ CURSOR_SECRET: "s".repeat(15) })).toThrow(/at least 16 bytes/);
  });

  it("takes each range's bounds, and an empty value as unset", () => {
    expect(readConfig({ PORT: "65535", BODY_MIN_RATE: "1048576" })).toMatchObject({
      port: 65_535,
      bodyMinRate: 1_048_576,
    });
    expect(readConfig({ PORT: "" }).port).toBe(3000);
  });

  it.each([
    ["a scheme other than http(s)", "ftp://127.0.0.1:8000"],
    ["a user name", "http://key@127.0.0.1:8000"],
    ["a password", "http://:s3cret@127.0.0.1:8000"],
    ["a fragment", "http://127.0.0.1:8000#x"],
  ])("refuses an endpoint with %s", (_, value) => {
    expect(() => readConfig({ ...dynamo, DYNAMODB_ENDPOINT: value })).toThrow(ConfigError);
  });

  it("shows an endpoint with only a user name without it", () => {
    expect(() => readConfig({ ...dynamo, DYNAMODB_ENDPOINT: "http://key@127.0.0.1:8000" })).toThrow(
      'not "http://…@127.0.0.1:8000/".',
    );
  });

  it("gives an example of each endpoint in its message", () => {
    expect(() => readConfig({ ...dynamo, DYNAMODB_ENDPOINT: "localhost:8000" })).toThrow(
      "such as http://127.0.0.1:8000 ",
    );
    expect(() => readConfig({ S3_ENDPOINT: "localhost:4568" })).toThrow("such as http://127.0.0.1:4568 ");
  });
});
