import { DynamoDbTodoRepository } from "@anycloud/adapters-aws/storage";
import type { Todo } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { useScriptableDynamoDb } from "../support/aws/scriptable-dynamodb.js";
import { type ScanAnswer, ScriptedDynamoDbHandler } from "../support/aws/scripted-dynamodb-handler.js";
import { allTodosIn } from "../support/stored-todos.js";
import { aTodo } from "../support/todos.js";

// A Scan page also ends at 1 MB, with a LastEvaluatedKey and fewer items than its Limit. The stand-in's pages of
// small todos never reach it: the scripted handler makes them end early instead (it lowers their Limit).
describe("DynamoDbTodoRepository.list when Scan pages stop short of their Limit", () => {
  const dynamoDb = useScriptableDynamoDb({ todos: "todos-short-scans" });

  /** A repository whose every Scan answers as `scanScript` says, and the handler that recorded them. */
  function shortScans(scanScript: (call: { limit: number | undefined; index: number }) => ScanAnswer) {
    const handler = new ScriptedDynamoDbHandler(
      dynamoDb.plain.config.requestHandler,
      () => "forward",
      undefined,
      scanScript,
    );
    const client = dynamoDb.client({ requestHandler: handler });
    return { handler, repository: new DynamoDbTodoRepository(client, { tableName: dynamoDb.tables.todos }) };
  }

  /** Lists every page of `limit`, and how many items the Scans of each page read. */
  async function pagesOf(
    repository: DynamoDbTodoRepository,
    handler: ScriptedDynamoDbHandler,
    limit: number,
  ): Promise<{ pages: Todo[][]; scanned: number[][] }> {
    const pages: Todo[][] = [];
    const scanned: number[][] = [];
    let cursor: string | undefined;
    do {
      const before = handler.scanCalls.length;
      const page = await repository.list(cursor === undefined ? { limit } : { limit, cursor });
      pages.push(page.items);
      scanned.push(handler.scanCalls.slice(before).map((call) => call.items));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { pages, scanned };
  }

  it.each([
    ["3 items", () => ({ stopAfter: 3 })],
    ["1 to 4 items", ({ index }: { index: number }) => ({ stopAfter: 1 + (index % 4) })],
  ] as const)(
    "keeps scanning until each page is full, when every Scan stops after %s: no gap, no repeat",
    async (_, stopAfter) => {
      const todos = Array.from({ length: 45 }, (_, index) => aTodo({ task: `todo ${index}` }));
      await new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }).putMany(todos);
      const inTableOrder = (
        await allTodosIn(new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }))
      ).map((todo) => todo.id);
      const { handler, repository } = shortScans(stopAfter);

      const { pages, scanned } = await pagesOf(repository, handler, 10);

      // Full pages of 10, then the 5 left: every todo once, in the table's order, as with whole Scan pages.
      expect(pages.map((page) => page.length)).toEqual([10, 10, 10, 10, 5]);
      const listed = pages.flat().map((todo) => todo.id);
      expect(new Set(listed).size).toBe(listed.length);
      expect(listed).toEqual(inTableOrder);
      expect(listed.sort()).toEqual(todos.map((todo) => todo.id).sort());
      // The Scans did stop short, several to a page; and each page read no more than its one extra todo.
      for (const reads of scanned) {
        expect(reads.length).toBeGreaterThan(1);
        expect(reads.reduce((sum, read) => sum + read, 0)).toBeLessThanOrEqual(11);
      }
      expect(
        handler.scanCalls.filter((call) => call.lastEvaluatedKey && call.items < (call.limit ?? 0)).length,
      ).toBeGreaterThan(5);
    },
  );

  // 20 todos in pages of 10, Scans stopping after 5: the table's last todo comes in a Scan that reached its Limit,
  // so it has a LastEvaluatedKey. One more Scan finds the table's end: the listing ends there, with a full page.
  it("scans once past a page that ends the table, and ends the listing with it, not with an empty page", async () => {
    const todos = Array.from({ length: 20 }, () => aTodo());
    await new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }).putMany(todos);
    const { handler, repository } = shortScans(() => ({ stopAfter: 5 }));

    const { pages, scanned } = await pagesOf(repository, handler, 10);

    expect(pages.map((page) => page.length)).toEqual([10, 10]);
    expect(scanned.at(-1)).toEqual([5, 5, 0]);
    expect(handler.scanCalls.at(-2)?.lastEvaluatedKey).toBe(true);
    expect(
      pages
        .flat()
        .map((todo) => todo.id)
        .sort(),
    ).toEqual(todos.map((todo) => todo.id).sort());
  });
});
