import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ALREADY_IMPORTED_NOTE, type ImportLedger, type Logger, silentLogger } from "@anycloud/core";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "./config.js";
import { composeServerApp, type ServerApp } from "./container.js";
import { LocalFileObjectSource } from "./files/local-file-object-source.js";

/** A logger that keeps its warnings. */
function warningsLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { ...silentLogger, warn: (message) => warnings.push(message) }, warnings };
}

const url = (path: string) => `http://localhost${path}`;

/** Adds two todos through `app.api`, and returns the cursor to the second page of one todo each. */
async function twoTodosAndACursor(app: ServerApp): Promise<string> {
  for (const task of ["one", "two"]) {
    const added = await app.api(
      new Request(url("/todos"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task }),
      }),
    );
    expect(added.status).toBe(201);
  }
  const page = (await (await app.api(new Request(url("/todos?limit=1")))).json()) as { nextCursor: string };
  return page.nextCursor;
}

/** What an import reads when it is handed `text` (in one chunk) rather than opening its source. */
const givenText = (text: string) => ({
  body: {
    body: (async function* () {
      yield new TextEncoder().encode(text);
    })(),
  },
});

/** A DynamoDB endpoint on 127.0.0.1 that finds no item; it records each request's operation and table. */
async function emptyDynamoDb() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const operation = String(request.headers["x-amz-target"]).split(".")[1];
      requests.push(`${operation} ${(JSON.parse(body) as { TableName: string }).TableName}`);
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("composeServerApp", () => {
  it("gives the import use case the ledger as decorateLedger wraps it", async () => {
    const claims: string[] = [];
    const app = await composeServerApp(readConfig({ TODO_STORE: "memory" }), silentLogger, {
      decorateLedger: (ledger): ImportLedger => ({
        claim: (claim) => {
          claims.push(claim.importId);
          return ledger.claim(claim);
        },
        finish: (...args) => ledger.finish(...args),
        renew: (...args) => ledger.renew(...args),
        get: (importId) => ledger.get(importId),
      }),
    });
    try {
      const body = (async function* () {
        yield new TextEncoder().encode("task\none\n");
      })();
      const report = await app.importTodos.execute(
        { source: { container: "c", key: "k", version: "v1" }, quote: "auto" },
        { body: { body } },
      );

      expect(report.status).toBe("COMPLETED");
      expect(claims).toEqual([report.importId]);
    } finally {
      await app.close();
    }
  });
});

describe("composeServerApp's services", () => {
  it("share one store: what the API adds, the CLI's repository lists", async () => {
    const app = await composeServerApp(readConfig({ TODO_STORE: "memory" }), silentLogger);
    try {
      await twoTodosAndACursor(app);

      expect((await app.todos.list({ limit: 10 })).items.map((todo) => todo.task).sort()).toEqual([
        "one",
        "two",
      ]);
    } finally {
      await app.close();
    }
  });

  it("import a local file by its ref alone, read through the bound object source", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "anycloud-container-"));
    const app = await composeServerApp(readConfig({ TODO_STORE: "memory" }), silentLogger);
    try {
      const file = path.join(dir, "todos.csv");
      await writeFile(file, "task\none\ntwo\n");

      const report = await app.importTodos.execute({
        source: await LocalFileObjectSource.refOf(file),
        quote: "auto",
      });

      expect(report).toMatchObject({ status: "COMPLETED", imported: 2 });
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["JSON_BODY_LIMIT", "/todos", "application/json", JSON.stringify({ task: "x".repeat(200) })],
    ["CSV_BODY_LIMIT", "/todos/import", "text/csv", `task\n${"x".repeat(200)}\n`],
  ])("refuses a body over %s 413", async (name, path, type, body) => {
    const app = await composeServerApp(readConfig({ TODO_STORE: "memory", [name]: "100" }), silentLogger);
    try {
      const response = await app.api(
        new Request(url(path), { method: "POST", headers: { "content-type": type }, body }),
      );

      expect(response.status).toBe(413);
    } finally {
      await app.close();
    }
  });

  it("answers a preflight from one of CORS_ORIGINS", async () => {
    const page = "https://todo.example.com";
    const app = await composeServerApp(
      readConfig({ TODO_STORE: "memory", CORS_ORIGINS: page }),
      silentLogger,
    );
    try {
      const response = await app.api(
        new Request(url("/todos"), {
          method: "OPTIONS",
          headers: { origin: page, "access-control-request-method": "POST" },
        }),
      );

      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(page);
    } finally {
      await app.close();
    }
  });

  it("signs list cursors with CURSOR_SECRET, which another process given it accepts", async () => {
    const config = readConfig({ TODO_STORE: "memory", CURSOR_SECRET: "a-secret-of-at-least-16-bytes" });
    const first = await composeServerApp(config, silentLogger);
    const second = await composeServerApp(config, silentLogger);
    try {
      const cursor = await twoTodosAndACursor(first);

      const response = await second.api(new Request(url(`/todos?cursor=${encodeURIComponent(cursor)}`)));

      expect(response.status).toBe(200);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("composeServerApp on SQLite (TODO_STORE=sqlite)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "anycloud-container-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the todos in DATA_DIR/todos.db, and its cursors valid after a restart without CURSOR_SECRET", async () => {
    const config = readConfig({ TODO_STORE: "sqlite", DATA_DIR: dir });
    const before = await composeServerApp(config, silentLogger);
    const cursor = await twoTodosAndACursor(before).finally(() => before.close());

    const after = await composeServerApp(config, silentLogger);
    try {
      const response = await after.api(new Request(url(`/todos?cursor=${encodeURIComponent(cursor)}`)));

      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(1);
      expect(await readdir(dir)).toContain("todos.db");
    } finally {
      await after.close();
    }
  });

  it("keeps the import ledger in the database too: an import done before a restart is not done again", async () => {
    const config = readConfig({ TODO_STORE: "sqlite", DATA_DIR: dir });
    const command = { source: { container: "c", key: "k", version: "v1" }, quote: "auto" } as const;
    const before = await composeServerApp(config, silentLogger);
    const first = await before.importTodos
      .execute(command, givenText("task\none\n"))
      .finally(() => before.close());

    const after = await composeServerApp(config, silentLogger);
    try {
      const again = await after.importTodos.execute(command, givenText("task\none\n"));

      expect(first).toMatchObject({ status: "COMPLETED", imported: 1 });
      expect(again).toMatchObject({ status: "COMPLETED", note: ALREADY_IMPORTED_NOTE });
      expect((await after.todos.list({ limit: 10 })).items).toHaveLength(1);
    } finally {
      await after.close();
    }
  });

  it("refuses a cursor-secret that holds no secret before it opens the database, so nothing is written", async () => {
    await writeFile(path.join(dir, "cursor-secret"), "");

    await expect(
      composeServerApp(readConfig({ TODO_STORE: "sqlite", DATA_DIR: dir }), silentLogger),
    ).rejects.toThrow(/holds no cursor secret/);

    // Not even an empty database: opening one moves its schema forward, which an older build then refuses.
    expect(await readdir(dir)).toEqual(["cursor-secret"]);
  });

  it("closes the database on close", async () => {
    const app = await composeServerApp(readConfig({ TODO_STORE: "sqlite", DATA_DIR: dir }), silentLogger);

    await app.close();

    await expect(app.todos.list({ limit: 1 })).rejects.toThrow();
  });
});

describe("composeServerApp on DynamoDB (TODO_STORE=dynamodb)", () => {
  const tables = { TODO_STORE: "dynamodb", TODOS_TABLE: "todos", IMPORTS_TABLE: "imports" };
  beforeEach(() => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("reads the todos and the imports from their tables at DYNAMODB_ENDPOINT, and destroys its client on close", async () => {
    const dynamoDb = await emptyDynamoDb();
    // Destroyed, the client closes its keep-alive connections, which would hold a stopped server's process.
    const destroy = vi.spyOn(DynamoDBClient.prototype, "destroy");
    let ledger: ImportLedger | undefined;
    const app = await composeServerApp(
      readConfig({
        TODO_STORE: "dynamodb",
        TODOS_TABLE: "todos-table",
        IMPORTS_TABLE: "imports-table",
        DYNAMODB_ENDPOINT: dynamoDb.endpoint,
        CURSOR_SECRET: "a-secret-of-at-least-16-bytes",
      }),
      silentLogger,
      { decorateLedger: (store) => (ledger = store) },
    );
    try {
      expect(await app.todos.get("6f1c5a4e-1111-4a2b-9c3d-123456789abc")).toBeUndefined();
      expect(await ledger!.get("an-import")).toBeUndefined();

      expect(dynamoDb.requests).toEqual(["GetItem todos-table", "GetItem imports-table"]);
      expect(destroy).not.toHaveBeenCalled();
      await app.close();
      expect(destroy).toHaveBeenCalledTimes(1);
    } finally {
      await dynamoDb.close();
    }
  });

  it("warns, once, that without CURSOR_SECRET list cursors are this process's own", async () => {
    const { logger, warnings } = warningsLogger();

    const app = await composeServerApp(readConfig(tables), logger);
    await app.close();

    expect(warnings).toEqual([expect.stringMatching(/^CURSOR_SECRET is not set: .* Set it to share one\.$/)]);
  });

  it("does not warn when CURSOR_SECRET is set", async () => {
    const { logger, warnings } = warningsLogger();

    const app = await composeServerApp(
      readConfig({ ...tables, CURSOR_SECRET: "a-secret-of-at-least-16-bytes" }),
      logger,
    );
    await app.close();

    expect(warnings).toEqual([]);
  });
});
