import { DynamoDbTodoRepository, WRITE_STOPPED } from "@anycloud/adapters-aws/storage";
import { StoreUnavailableError, type Todo } from "@anycloud/core";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { useScriptableDynamoDb } from "../support/aws/scriptable-dynamodb.js";
import {
  type BatchWriteAnswer,
  type GetAnswer,
  ScriptedDynamoDbHandler,
  seededRandom,
} from "../support/aws/scripted-dynamodb-handler.js";
import { allTodosIn } from "../support/stored-todos.js";
import { aTodo } from "../support/todos.js";

// putMany against a stand-in whose BatchWriteItem answers are scripted by a custom requestHandler: the
// SDK's retries (for throttles and 5xx) and the repository's (for those, and for UnprocessedItems) both run.
describe("DynamoDbTodoRepository.putMany under throttling", () => {
  const dynamoDb = useScriptableDynamoDb({ todos: "todos-throttled" });

  /** A repository whose client answers BatchWriteItem as `script` says; `sdkMaxAttempts` bounds the SDK. */
  function scriptedRepository(
    script: (call: { ids: string[]; index: number }) => BatchWriteAnswer | Promise<BatchWriteAnswer>,
    options: {
      maxAttempts?: number;
      sdkMaxAttempts?: number;
      getScript?: (call: { ids: string[]; index: number }) => GetAnswer | Promise<GetAnswer>;
      timeBudgetMs?: number;
      now?: () => number;
      concurrency?: number;
      baseDelayMs?: number;
      random?: () => number;
      sleep?: (ms: number) => Promise<void>;
    } = {},
  ) {
    const handler = new ScriptedDynamoDbHandler(
      dynamoDb.plain.config.requestHandler,
      script,
      options.getScript,
    );
    const client = dynamoDb.client({ requestHandler: handler, maxAttempts: options.sdkMaxAttempts ?? 3 });
    const repository = new DynamoDbTodoRepository(client, {
      tableName: dynamoDb.tables.todos,
      baseDelayMs: options.baseDelayMs ?? 2,
      maxAttempts: options.maxAttempts ?? 8,
      random: options.random ?? seededRandom(7),
      ...(options.timeBudgetMs !== undefined && { timeBudgetMs: options.timeBudgetMs }),
      ...(options.now && { now: options.now }),
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.sleep && { sleep: options.sleep }),
    });
    return { handler, client, repository };
  }

  it("writes each of 1,000 todos exactly once, with its latest value, through throttles, 5xx and handed-back items", async () => {
    const original = Array.from({ length: 1000 }, (_, index) => aTodo({ task: `original ${index}` }));
    await new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }).putMany(original);
    const latest = original.map((todo) => ({
      ...todo,
      task: `latest: ${todo.task}`,
      checked: true,
      version: 2,
    }));
    const random = seededRandom(2030);
    const { handler, repository } = scriptedRepository(() => {
      const draw = random();
      if (draw < 0.2) return "throttle";
      if (draw < 0.3) return "server-error";
      if (draw < 0.55) return "hand-back-some";
      return "forward";
    });

    const result = await repository.putMany(latest);

    expect(result.failed).toEqual([]);
    expect(sortById(await scanAll(dynamoDb.plain, dynamoDb.tables.todos))).toEqual(sortById(latest));
    const answers = new Set(handler.calls.map((call) => call.answer));
    expect([...answers].sort()).toEqual(["forward", "hand-back-some", "server-error", "throttle"]);
    expect(handler.calls.some((call) => call.sdkAttempt > 1)).toBe(true);
    for (const call of handler.calls) {
      expect(call.ids.length).toBeLessThanOrEqual(25);
      expect(new Set(call.ids).size).toBe(call.ids.length);
    }
  });

  it("with keepExisting, writes only the todos whose id is free, through throttles, 5xx and handed-back reads", async () => {
    const plain = new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos });
    const kept = Array.from({ length: 60 }, (_, index) =>
      aTodo({ task: `edited since ${index}`, version: 2 }),
    );
    await plain.putMany(kept);
    const todos = [
      ...kept.map((todo) => ({ ...todo, task: "as first written", version: 1 })),
      ...Array.from({ length: 200 }, () => aTodo()),
    ];
    // Shuffled (Fisher-Yates, seeded), so that kept and new ids share batches.
    const shuffle = seededRandom(11);
    for (let index = todos.length - 1; index > 0; index--) {
      const other = Math.floor(shuffle() * (index + 1));
      [todos[index], todos[other]] = [todos[other]!, todos[index]!];
    }
    // The reads meet every kind of trouble, the SDK trying each call once: every retry is the repository's.
    const random = seededRandom(2031);
    const { handler, repository } = scriptedRepository(() => "forward", {
      sdkMaxAttempts: 1,
      getScript: () => {
        const draw = random();
        if (draw < 0.2) return "throttle";
        if (draw < 0.3) return "server-error";
        if (draw < 0.55) return "hand-back-some";
        return "forward";
      },
    });

    const result = await repository.putMany(todos, { keepExisting: true });

    expect(result.failed).toEqual([]);
    const fresh = todos.filter((todo) => todo.version === 1 && todo.task !== "as first written");
    expect(sortById(await scanAll(dynamoDb.plain, dynamoDb.tables.todos))).toEqual(
      sortById([...kept, ...fresh]),
    );
    expect(new Set(handler.getCalls.map((call) => call.answer))).toEqual(
      new Set(["forward", "throttle", "server-error", "hand-back-some"]),
    );
    // Each batch is read, then only its free ids are written, each once: the kept ones never are.
    const written = handler.calls.flatMap((call) => call.ids);
    expect(written.sort()).toEqual(fresh.map((todo) => todo.id).sort());
    for (const call of handler.getCalls) expect(call.ids.length).toBeLessThanOrEqual(25);
  });

  it("with keepExisting, reads each batch's ids strongly consistently, and writes none of a batch whose every todo is stored", async () => {
    const todos = Array.from({ length: 30 }, () => aTodo());
    await new DynamoDbTodoRepository(dynamoDb.plain, { tableName: dynamoDb.tables.todos }).putMany(todos);
    const { handler, repository } = scriptedRepository(() => "forward", { getScript: () => "forward" });

    const result = await repository.putMany(todos, { keepExisting: true });

    expect(result.failed).toEqual([]);
    expect(handler.getCalls.map((call) => [call.ids.length, call.consistentRead])).toEqual([
      [25, true],
      [5, true],
    ]);
    expect(handler.calls).toEqual([]);
  });

  it("sends again only the items the store handed back", async () => {
    const todos = Array.from({ length: 25 }, () => aTodo());
    const { handler, repository } = scriptedRepository(({ index }) =>
      index === 0 ? "hand-back-some" : "forward",
    );

    const result = await repository.putMany(todos);

    expect(result.failed).toEqual([]);
    expect(handler.calls.map((call) => call.ids.length)).toEqual([25, 12]);
    expect(handler.calls[1]?.ids).toEqual(todos.slice(13).map((todo) => todo.id));
  });

  it.each([
    ["throttles every call", "throttle", 2],
    ["hands every item back", "hand-back-all", 1],
  ] as const)(
    "reports every todo failed, without throwing, when the store %s until maxAttempts runs out",
    async (_, answer, sdkAttemptsPerCall) => {
      const todos = Array.from({ length: 60 }, () => aTodo());
      const { handler, repository } = scriptedRepository(() => answer, { maxAttempts: 3, sdkMaxAttempts: 2 });

      const result = await repository.putMany(todos);

      expect(sortById(result.failed)).toEqual(
        sortById(todos.map(({ id }) => ({ id, reason: expect.stringMatching(/try again later/) }))),
      );
      // Three batches (25 + 25 + 10), each tried three times by the repository, each of those by the SDK.
      expect(handler.calls).toHaveLength(3 * 3 * sdkAttemptsPerCall);
      expect(await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).toEqual([]);
    },
  );

  // The store answers no call until every call the repository has in flight has reached it (see `holdAnswers`):
  // so as many calls are at the store at once as the repository keeps in flight, and no fewer.
  it.each([
    ["4 calls by default", undefined, 4],
    ["2 calls when configured so", 2, 2],
    ["6 calls when configured so", 6, 6],
  ] as const)("keeps %s in flight, and never more", async (_, concurrency, expected) => {
    const todos = Array.from({ length: 12 * 25 }, () => aTodo());
    const hold = holdAnswers();
    const { handler, client, repository } = scriptedRepository(() => hold.answer("forward"), {
      ...(concurrency !== undefined && { concurrency }),
    });
    hold.count(client);

    const result = await repository.putMany(todos);

    expect(result.failed).toEqual([]);
    expect(handler.calls).toHaveLength(12);
    expect(hold.mostInFlight).toBe(expected);
    expect(hold.mostAtTheStore).toBe(expected);
    expect((await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).map((todo) => todo.id).sort()).toEqual(
      todos.map((todo) => todo.id).sort(),
    );
  });

  it.each([
    ["4 batches by default", undefined, 4],
    ["2 batches when configured so", 2, 2],
  ] as const)(
    "with keepExisting, keeps %s in flight (a read, then a write), and never more",
    async (_, concurrency, expected) => {
      const todos = Array.from({ length: 12 * 25 }, () => aTodo());
      const hold = holdAnswers();
      const { handler, client, repository } = scriptedRepository(() => hold.answer("forward"), {
        getScript: () => hold.answer("forward"),
        ...(concurrency !== undefined && { concurrency }),
      });
      hold.count(client);

      const result = await repository.putMany(todos, { keepExisting: true });

      expect(result.failed).toEqual([]);
      expect(handler.getCalls).toHaveLength(12);
      expect(handler.calls).toHaveLength(12);
      expect(hold.mostInFlight).toBe(expected);
      expect(hold.mostAtTheStore).toBe(expected);
    },
  );

  // Every call is throttled, one batch, each retry by the repository alone: the sleeps it asks for are its backoff.
  describe.each([
    ["a write", "throttle", undefined],
    ["a retried import's read", "forward", "throttle"],
  ] as const)("backs off before each retry of %s", (_, writeAnswer, readAnswer) => {
    /** The delays slept before each of the calls after the first, when the jitter draws what `random` gives. */
    async function delaysWith(random: () => number): Promise<number[]> {
      const slept: number[] = [];
      const { handler, repository } = scriptedRepository(() => writeAnswer, {
        ...(readAnswer && { getScript: () => readAnswer }),
        sdkMaxAttempts: 1,
        maxAttempts: 10,
        baseDelayMs: 100,
        timeBudgetMs: 20_000,
        now: () => 0,
        random,
        sleep: async (ms) => {
          slept.push(ms);
        },
      });

      const result = await repository.putMany([aTodo()], { keepExisting: readAnswer !== undefined });

      expect(result.failed).toEqual([
        { id: expect.any(String), reason: expect.stringMatching(/try again later/) },
      ]);
      expect(readAnswer ? handler.getCalls : handler.calls).toHaveLength(10);
      return slept;
    }

    // 100 ms doubled with each call, up to the 10-s cap: the bound that full jitter draws below.
    const bounds = [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000];

    it("up to a bound that doubles with each call, then stays at 10 s", async () => {
      expect(await delaysWith(() => 0.5)).toEqual([50, 100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
      expect(await delaysWith(() => 0.999_9)).toEqual([99, 199, 399, 799, 1_599, 3_199, 6_399, 9_999, 9_999]);
    });

    it("with full jitter: a uniform draw between 0 and that bound", async () => {
      expect(await delaysWith(() => 0)).toEqual(Array(9).fill(0));
      expect(await delaysWith(() => 0.25)).toEqual(bounds.map((bound) => bound / 4));
      const draws: number[] = [];
      const seeded = seededRandom(2032);
      const delays = await delaysWith(() => {
        draws.push(seeded());
        return draws.at(-1)!;
      });
      expect(draws).toHaveLength(9);
      expect(delays).toEqual(bounds.map((bound, index) => Math.floor(draws[index]! * bound)));
    });
  });

  it("reports only the todos of the batch that stayed throttled, and writes the others", async () => {
    const todos = Array.from({ length: 75 }, () => aTodo());
    const stubborn = new Set(todos.slice(25, 50).map((todo) => todo.id));
    const { repository } = scriptedRepository(({ ids }) => (stubborn.has(ids[0]!) ? "throttle" : "forward"), {
      maxAttempts: 2,
      sdkMaxAttempts: 1,
    });

    const result = await repository.putMany(todos);

    expect(new Set(result.failed.map((failure) => failure.id))).toEqual(stubborn);
    expect((await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).map((todo) => todo.id).sort()).toEqual(
      todos
        .filter((todo) => !stubborn.has(todo.id))
        .map((todo) => todo.id)
        .sort(),
    );
  });

  it("finds the todo that makes the store refuse a whole call by writing that call's todos one by one", async () => {
    const todos = Array.from({ length: 30 }, () => aTodo());
    const poisoned = todos[7]!.id;
    const { handler, repository } = scriptedRepository(({ ids }) =>
      ids.includes(poisoned) ? "validation-error" : "forward",
    );

    const result = await repository.putMany(todos);

    expect(result.failed).toEqual([{ id: poisoned, reason: expect.stringMatching(/refused/) }]);
    expect((await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).map((todo) => todo.id).sort()).toEqual(
      todos
        .map((todo) => todo.id)
        .filter((id) => id !== poisoned)
        .sort(),
    );
    // The batch of 25 once, then each of its todos alone; the batch of 5 once.
    expect(handler.calls).toHaveLength(1 + 25 + 1);
  });

  it("writes no todo alone once its time budget is spent, when the store refuses a whole call", async () => {
    const todos = Array.from({ length: 25 }, () => aTodo());
    let clock = 0;
    // The refusal comes back after 25 s: past the budget of 20 s, each of the 25 alone would be a call more.
    const { handler, repository } = scriptedRepository(
      () => {
        clock += 25_000;
        return "validation-error";
      },
      { timeBudgetMs: 20_000, now: () => clock },
    );

    const result = await repository.putMany(todos);

    expect(handler.calls).toHaveLength(1);
    expect(result.failed).toHaveLength(25);
    for (const { reason } of result.failed) expect(reason).toMatch(/try again later/);
  });

  // The clock moves 3 s with each call the store throttles: a budget of 20 s is spent after about seven
  // calls, where 8 attempts for each of 16 batches (or 400 puts) would make 128 (or 3,200).
  it("stops retrying, and reports the rest busy, once its time budget is spent", async () => {
    const todos = Array.from({ length: 400 }, () => aTodo());
    let clock = 0;
    const { handler, repository } = scriptedRepository(
      () => {
        clock += 3_000;
        return "throttle";
      },
      { sdkMaxAttempts: 1, timeBudgetMs: 20_000, now: () => clock },
    );

    const result = await repository.putMany(todos);

    expect(result.failed).toHaveLength(400);
    for (const { reason } of result.failed) expect(reason).toMatch(/try again later/);
    // Seven calls before the budget ran out (at 0, 3... 18 s), and at most the other three of four in flight then:
    // bounded on both sides, so that a budget spent too soon fails as one spent too late does.
    expect(handler.calls.length).toBeGreaterThanOrEqual(7);
    expect(handler.calls.length).toBeLessThanOrEqual(7 + 3);
  });

  it("makes no retry whose backoff would end after its time budget", async () => {
    let clock = 0;
    const slept: number[] = [];
    const { handler, repository } = scriptedRepository(
      () => {
        clock = 15_000;
        return "throttle";
      },
      {
        sdkMaxAttempts: 1,
        timeBudgetMs: 20_000,
        baseDelayMs: 10_000,
        random: () => 0.6,
        now: () => clock,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
      },
    );

    const result = await repository.putMany([aTodo()]);

    expect(result.failed).toEqual([
      { id: expect.any(String), reason: expect.stringMatching(/try again later/) },
    ]);
    // The first call came back throttled at 15 s; its backoff, 6 s, would end at 21 s, past the 20-s budget.
    expect(slept).toEqual([]);
    expect(handler.calls).toHaveLength(1);
  });

  /** A repository with a 20 s budget on a fake clock, each of whose reads takes `ms` and is answered `answer`. */
  function readsTaking(ms: number, answer: GetAnswer) {
    let clock = 0;
    return scriptedRepository(() => "forward", {
      sdkMaxAttempts: 1,
      timeBudgetMs: 20_000,
      now: () => clock,
      getScript: () => {
        clock += ms;
        return answer;
      },
    });
  }

  it("stops retrying the reads of a retried import once its time budget is spent, and writes nothing", async () => {
    const todos = Array.from({ length: 400 }, () => aTodo());
    const { handler, repository } = readsTaking(3_000, "throttle");

    const result = await repository.putMany(todos, { keepExisting: true });

    expect(result.failed).toHaveLength(400);
    for (const { reason } of result.failed) expect(reason).toMatch(/try again later/);
    // Seven reads before the budget ran out, and at most the other three of four in flight then.
    expect(handler.getCalls.length).toBeGreaterThanOrEqual(7);
    expect(handler.getCalls.length).toBeLessThanOrEqual(7 + 3);
    expect(handler.calls).toEqual([]);
    expect(await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).toEqual([]);
  });

  it("checks its time budget again after a retry's read, and sends no write once it is spent", async () => {
    const todos = Array.from({ length: 50 }, () => aTodo());
    // Each read answers, but takes 21 s: the budget is spent by the time it is back.
    const { handler, repository } = readsTaking(21_000, "forward");

    const result = await repository.putMany(todos, { keepExisting: true });

    expect(result.failed).toHaveLength(50);
    for (const { reason } of result.failed) expect(reason).toMatch(/try again later/);
    expect(handler.calls).toEqual([]);
  });

  it("stops retrying, abandons its calls and reports what is unconfirmed as stopped once its caller gives up", async () => {
    const todos = Array.from({ length: 200 }, () => aTodo());
    const caller = new AbortController();
    const { handler, repository } = scriptedRepository(
      ({ index }) => {
        // The store throttles every call; the caller gives up after the fourth (a time limit close).
        if (index === 3) caller.abort(new Error("time limit"));
        return "throttle";
      },
      { sdkMaxAttempts: 1, maxAttempts: 1_000 },
    );

    const result = await repository.putMany(todos, { signal: caller.signal });
    const callsWhenStopped = handler.calls.length;
    const keptExisting = await repository.putMany(todos, { keepExisting: true, signal: caller.signal });

    expect(result.failed).toHaveLength(200);
    for (const { reason } of result.failed) expect(reason).toBe(WRITE_STOPPED);
    // Four calls in flight when it gave up, and not one more; none at all for a caller who gave up already.
    expect(callsWhenStopped).toBeLessThanOrEqual(4);
    expect(handler.calls.length).toBe(callsWhenStopped);
    expect(keptExisting.failed.map(({ reason }) => reason)).toEqual(Array(200).fill(WRITE_STOPPED));
    expect(await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).toEqual([]);
  });

  describe.each([
    ["a write", false],
    ["a retried import's read", true],
  ] as const)("once its caller gives up while %s is at the store", (_, keepExisting) => {
    it("abandons the call without waiting for the store's answer, and reports its todos stopped", async () => {
      const todos = Array.from({ length: 3 }, () => aTodo());
      const caller = new AbortController();
      let answered = false;
      // Holds the call at the store, where the caller gives up (a time limit). The store answers on the next turn
      // of the event loop: after an abandoned call's rejection, which takes promise callbacks alone, has come back.
      const heldWhileTheCallerGivesUp = () =>
        new Promise<"forward">((resolve) => {
          caller.abort(new Error("time limit"));
          setImmediate(() => {
            answered = true;
            resolve("forward");
          });
        });
      const { repository } = scriptedRepository(keepExisting ? () => "forward" : heldWhileTheCallerGivesUp, {
        ...(keepExisting && { getScript: heldWhileTheCallerGivesUp }),
      });

      const result = await repository.putMany(todos, { keepExisting, signal: caller.signal });
      const answeredBeforeTheResult = answered;

      expect(result.failed).toEqual(
        todos.map(({ id }) => ({ id, reason: expect.stringMatching(/stopped/) })),
      );
      expect(answeredBeforeTheResult).toBe(false);
      expect(await scanAll(dynamoDb.plain, dynamoDb.tables.todos)).toEqual([]);
    });
  });

  it("throws StoreUnavailableError, and starts no more batches, when the store refuses outright", async () => {
    const todos = Array.from({ length: 400 }, () => aTodo());
    const { handler, repository } = scriptedRepository(() => "access-denied");

    const error = await repository.putMany(todos).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toMatchObject({ name: "AccessDeniedException" });
    // The four calls in flight when the first refusal came back, and nothing after.
    expect(handler.calls.length).toBeLessThanOrEqual(4);
  });
});

/**
 * Holds the scripted answers to BatchWriteItem and BatchGetItem calls, and counts those calls in flight: from
 * the repository's `send` (a middleware of the client, `count`) until it has their answer. A held call is let go,
 * oldest first, only when every call in flight is held: the repository has sent all it will before it hears
 * back, so the most calls at the store at once is the most it keeps in flight. Nothing waits on a clock.
 */
function holdAnswers() {
  const held: (() => void)[] = [];
  let inFlight = 0;
  const state = { mostInFlight: 0, mostAtTheStore: 0 };
  const releaseIfAllHeld = () => {
    if (held.length > 0 && held.length === inFlight) held.shift()!();
  };
  return {
    /** The most calls the repository had sent and not yet had answered, at once. */
    get mostInFlight() {
      return state.mostInFlight;
    },
    /** The most calls held at the store at once. */
    get mostAtTheStore() {
      return state.mostAtTheStore;
    },
    /** A script's answer, given once the call is let go. */
    answer<Answer>(answer: Answer): Promise<Answer> {
      return new Promise((resolve) => {
        held.push(() => resolve(answer));
        state.mostAtTheStore = Math.max(state.mostAtTheStore, held.length);
        releaseIfAllHeld();
      });
    },
    /** Counts `client`'s batch calls in flight. */
    count(client: DynamoDBClient) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (
            context.commandName !== "BatchWriteItemCommand" &&
            context.commandName !== "BatchGetItemCommand"
          ) {
            return next(args);
          }
          inFlight++;
          state.mostInFlight = Math.max(state.mostInFlight, inFlight);
          try {
            return await next(args);
          } finally {
            inFlight--;
            // After the repository has had the answer, and sent its next call if it has one.
            setImmediate(releaseIfAllHeld);
          }
        },
        { step: "initialize", priority: "high", name: "countBatchCallsInFlight" },
      );
    },
  };
}

/** Every todo in the table, read page by page with a plain client (no script). */
async function scanAll(client: DynamoDBClient, tableName: string): Promise<Todo[]> {
  return allTodosIn(new DynamoDbTodoRepository(client, { tableName }));
}

function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
