import { randomUUID } from "node:crypto";
import {
  type Todo,
  TodoAlreadyExistsError,
  TodoNotFoundError,
  type TodoRepository,
  VersionConflictError,
} from "@anycloud/core";
import fc from "fast-check";
import { expect } from "vitest";
import { propertyRuns } from "../support/property-runs.js";
import { aTodo, listAll, sortById } from "../support/todos.js";
import type { TodoRepositoryFixture } from "./todo-repository.contract.js";

// Few ids, creation times and tasks, so that the operations meet: a create finds its id taken, an update or a
// delete the version moved, a listing the todo it is paging over changed, deleted or written anew.
const IDS = 5;
const CREATED_AT = ["2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00.001Z", "2029-12-31T23:59:59.999Z"];
const TASKS = ["water the plants", "buy milk", "call Ada"];

type Operation =
  | { kind: "create"; id: number; createdAt: number; task: number }
  | { kind: "get"; id: number }
  | { kind: "update"; id: number; versionOff: number; task: number }
  | { kind: "delete"; id: number; versioned: boolean; versionOff: number }
  | {
      kind: "putMany";
      writes: { id: number; createdAt: number; task: number; version: number }[];
      keepExisting: boolean;
    }
  | { kind: "page"; limit: number };

const id = fc.nat({ max: IDS - 1 });
const createdAt = fc.nat({ max: CREATED_AT.length - 1 });
const task = fc.nat({ max: TASKS.length - 1 });
// A version off the stored one by -1, 0 (the right one, most of the time) or 1.
const versionOff = fc.constantFrom(0, 0, 0, -1, 1);

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("create"), id, createdAt, task }),
  fc.record({ kind: fc.constant("get"), id }),
  fc.record({ kind: fc.constant("update"), id, versionOff, task }),
  fc.record({ kind: fc.constant("delete"), id, versioned: fc.boolean(), versionOff }),
  fc.record({
    kind: fc.constant("putMany"),
    writes: fc.uniqueArray(fc.record({ id, createdAt, task, version: fc.integer({ min: 1, max: 3 }) }), {
      selector: (write) => write.id,
      maxLength: IDS,
    }),
    keepExisting: fc.boolean(),
  }),
  // Pages weigh more: a listing should often run across the other operations.
  { arbitrary: fc.record({ kind: fc.constant("page"), limit: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
);

/**
 * A listing under way, paged across other writes. What the contract promises of it: a todo stored when it
 * started and still there when it ends, never deleted and never moved in between, is listed exactly once; no
 * todo is listed twice unless it moved; and each page gives the values stored when it was read. A todo "moves"
 * when it is written anew with another creation time (the SQL and in-memory stores list by creation time),
 * or deleted and created again.
 */
interface Listing {
  cursor: string | undefined;
  atStart: Set<string>;
  moved: Set<string>;
  deleted: Set<string>;
  listed: Map<string, number>;
}

/**
 * Runs random operations against a fresh repository from `makeRepository` each time, and a model of it (a map of
 * todos by id), and checks every answer against the model, with listings paged across the other operations.
 */
export async function checkAgainstModel(
  makeRepository: () => Promise<TodoRepositoryFixture>,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { maxLength: 40 }), async (operations) => {
      const { repository, dispose } = await makeRepository();
      try {
        await run(repository, operations);
      } finally {
        await dispose?.();
      }
    }),
    propertyRuns(numRuns),
  );
}

async function run(repository: TodoRepository, operations: readonly Operation[]): Promise<void> {
  const ids = Array.from({ length: IDS }, () => randomUUID());
  const model = new Map<string, Todo>();
  let listing: Listing | undefined;
  const todo = (index: number, fields: { createdAt: number; task: number; version: number }): Todo =>
    aTodo({
      id: ids[index]!,
      task: TASKS[fields.task]!,
      createdAt: CREATED_AT[fields.createdAt]!,
      updatedAt: CREATED_AT[fields.createdAt]!,
      version: fields.version,
    });
  /** Records, for a listing under way, what a write of `next` over `stored` (none: a delete) does to it. */
  const noteWrite = (todoId: string, stored: Todo | undefined, next: Todo | undefined) => {
    if (listing === undefined) return;
    if (next === undefined) listing.deleted.add(todoId);
    // Created again after a delete, or written with another creation time: at another place in the order.
    else if (stored === undefined ? listing.deleted.has(todoId) : stored.createdAt !== next.createdAt) {
      listing.moved.add(todoId);
    }
  };

  for (const step of operations) {
    switch (step.kind) {
      case "create": {
        const created = todo(step.id, { ...step, version: 1 });
        const stored = model.get(created.id);
        const outcome = await repository.create(created).catch((error: unknown) => error);
        if (stored !== undefined) {
          expect(outcome).toBeInstanceOf(TodoAlreadyExistsError);
          break;
        }
        expect(outcome).toBeUndefined();
        noteWrite(created.id, undefined, created);
        model.set(created.id, created);
        break;
      }
      case "get":
        expect(await repository.get(ids[step.id]!)).toEqual(model.get(ids[step.id]!));
        break;
      case "update": {
        const stored = model.get(ids[step.id]!);
        const expected = (stored?.version ?? 1) + step.versionOff;
        const changed: Todo = {
          ...(stored ?? todo(step.id, { createdAt: 0, task: 0, version: 1 })),
          task: TASKS[step.task]!,
          version: expected + 1,
        };
        const outcome = await repository.update(changed, expected).catch((error: unknown) => error);
        if (stored === undefined) expect(outcome).toBeInstanceOf(TodoNotFoundError);
        else if (stored.version !== expected) expect(outcome).toBeInstanceOf(VersionConflictError);
        else {
          expect(outcome).toBeUndefined();
          model.set(changed.id, changed);
        }
        break;
      }
      case "delete": {
        const todoId = ids[step.id]!;
        const stored = model.get(todoId);
        const expected = step.versioned ? (stored?.version ?? 1) + step.versionOff : undefined;
        const outcome = await repository.delete(todoId, expected).catch((error: unknown) => error);
        if (stored === undefined) expect(outcome).toBeInstanceOf(TodoNotFoundError);
        else if (expected !== undefined && stored.version !== expected) {
          expect(outcome).toBeInstanceOf(VersionConflictError);
        } else {
          expect(outcome).toBeUndefined();
          noteWrite(todoId, stored, undefined);
          model.delete(todoId);
        }
        break;
      }
      case "putMany": {
        const todos = step.writes.map((write) => todo(write.id, write));
        expect(await repository.putMany(todos, { keepExisting: step.keepExisting })).toEqual({ failed: [] });
        for (const written of todos) {
          const stored = model.get(written.id);
          if (step.keepExisting && stored !== undefined) continue;
          noteWrite(written.id, stored, written);
          model.set(written.id, written);
        }
        break;
      }
      case "page": {
        listing ??= {
          cursor: undefined,
          atStart: new Set(model.keys()),
          moved: new Set(),
          deleted: new Set(),
          listed: new Map(),
        };
        const { cursor } = listing;
        const page = await repository.list(
          cursor === undefined ? { limit: step.limit } : { limit: step.limit, cursor },
        );
        expect(page.items.length).toBeLessThanOrEqual(step.limit);
        for (const item of page.items) {
          expect(item).toEqual(model.get(item.id));
          listing.listed.set(item.id, (listing.listed.get(item.id) ?? 0) + 1);
        }
        listing.cursor = page.nextCursor;
        if (page.nextCursor === undefined) {
          checkListing(listing, model);
          listing = undefined;
        }
        break;
      }
    }
  }
  // Whatever came before, a listing from the start now finds exactly what the model holds.
  const all = (await listAll(repository, 2)).flatMap((page) => page.items);
  expect(sortById(all)).toEqual(sortById([...model.values()]));
}

function checkListing(listing: Listing, model: ReadonlyMap<string, Todo>): void {
  for (const [todoId, times] of listing.listed) {
    if (!listing.moved.has(todoId)) expect(times, `todo ${todoId} listed ${times} times`).toBe(1);
  }
  for (const todoId of listing.atStart) {
    const stayed = model.has(todoId) && !listing.deleted.has(todoId) && !listing.moved.has(todoId);
    if (stayed) expect(listing.listed.get(todoId), `todo ${todoId}, there all along`).toBe(1);
  }
}
