import { ImportTodos } from "../csv-import/import-todos.js";
import type { ImportLedger } from "../csv-import/ports/import-ledger.js";
import { type Clock, systemClock } from "../shared/clock.js";
import { type IdGenerator, randomIds } from "../shared/id-generator.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { CursorCodec } from "../todos/cursor-codec.js";
import type { TodoRepository } from "../todos/ports/todo-repository.js";
import { AddTodo } from "../todos/use-cases/add-todo.js";
import { DeleteTodo } from "../todos/use-cases/delete-todo.js";
import { GetTodo } from "../todos/use-cases/get-todo.js";
import { ListTodos } from "../todos/use-cases/list-todos.js";
import { UpdateTodo } from "../todos/use-cases/update-todo.js";
import type { CorsOptions } from "./cors.js";
import { addHelloRoutes } from "./hello-routes.js";
import { NotImplementedError } from "./http-errors.js";
import { addImportRoute } from "./import-route.js";
import { ImportSlots } from "./import-slots.js";
import { BodyMemory } from "./read-body.js";
import { jsonReply } from "./responses.js";
import { Router } from "./router.js";
import { type HttpApi, serveRoutes } from "./serve-routes.js";
import { addRestTodoRoutes, addWorkshopTodoRoutes } from "./todo-routes.js";

export interface BodyLimits {
  /** Largest JSON body accepted (default 64 KiB). */
  jsonBytes: number;
  /** Largest CSV upload accepted by `POST /todos/import` (default 10 MiB, API Gateway's own limit). */
  csvBytes: number;
  /**
   * The most bytes of JSON bodies, and as many of CSV uploads, read whole that the API holds at once (default
   * 64 MiB; never less than `jsonBytes`, and `csvBytes`, so that one body at the limit is always taken). A body
   * that would go past it is answered 503 with `Retry-After` (see `BodyMemory`).
   */
  heldBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  jsonBytes: 64 * 1024,
  csvBytes: 10 * 1024 * 1024,
  heldBytes: 64 * 1024 * 1024,
};

/** The limits `deps` sets, the defaults for the rest. */
function bodyLimitsOf(deps: TodoRoutesDeps): BodyLimits {
  return { ...DEFAULT_BODY_LIMITS, ...deps.limits };
}

/** The memory for bodies of up to `limitBytes` read whole: `heldBytes`, or one body at the limit if more. */
function bodyMemoryFor(limitBytes: number, { heldBytes }: BodyLimits): BodyMemory {
  return new BodyMemory(Math.max(limitBytes, heldBytes));
}

/** What the todo routes need: the todo store, and optionally the clock, ids, logger, limits and CORS. */
export interface TodoRoutesDeps {
  todos: TodoRepository;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Signs list cursors; every instance behind one URL must share it. Random per process when absent. */
  cursorSecret?: string | Uint8Array;
  limits?: Partial<BodyLimits>;
  /** Which web pages on other origins may call the API (CORS); off when absent. */
  cors?: CorsOptions;
}

export interface TodoApiDeps extends TodoRoutesDeps {
  /** The import ledger, for `POST /todos/import`. */
  imports: ImportLedger;
  /** The most uploads imported at once (default 8); one more is answered 503 (see `ImportSlots`). */
  importConcurrency?: number;
}

/** More imports at once go no faster on one thread; each holds its parser, batch and connection. */
export const DEFAULT_IMPORT_CONCURRENCY = 8;

/** The todo API: fetch-style, with `handle` for runtimes that skip fetch's classes. */
export type TodoApi = HttpApi;

/**
 * The whole todo HTTP API as a fetch-style function: hello, health and readiness, the workshop's routes, the
 * REST resource and CSV uploads.
 *
 * @example
 * const api = createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
 * const response = await api(new Request("http://localhost/todos", { method: "POST",
 *   headers: { "content-type": "application/json" }, body: JSON.stringify({ task: "Try it" }) }));
 */
export function createTodoApi(deps: TodoApiDeps): TodoApi {
  const logger = deps.logger ?? silentLogger;
  const addUploads: AddUploads = (router, limits) => {
    const importTodos = new ImportTodos(deps.todos, deps.imports, deps.clock ?? systemClock, logger);
    const { csvBytes } = limits;
    const slots = new ImportSlots(deps.importConcurrency ?? DEFAULT_IMPORT_CONCURRENCY);
    addImportRoute(router, { importTodos, csvBytes, memory: bodyMemoryFor(csvBytes, limits), slots });
  };
  // Its uploads need the import ledger too: an API whose ledger cannot be reached is not ready to serve them.
  const ledgerAnswers = () => deps.imports.get(READINESS_PROBE_ID);
  return serveRoutes(todoRouter(deps, addUploads, [ledgerAnswers]), logger, deps.cors);
}

/**
 * An import id no import has (import ids are UUIDs of version 5, or random ones), looked up to see that the
 * ledger answers.
 */
const READINESS_PROBE_ID = "00000000-0000-0000-0000-000000000000";

/**
 * The todo API without CSV uploads, which a runtime serves apart (as the AWS app does, in a function with more
 * memory): the import code is not part of it, nor of a bundle made from it. `POST /todos/import` remains a
 * route, so that any other method gets 405 with `Allow: POST` as from the whole API; reached, it answers 501.
 */
export function createTodoApiWithoutUploads(deps: TodoRoutesDeps): TodoApi {
  return serveRoutes(todoRouter(deps, uploadsServedElsewhere), deps.logger ?? silentLogger, deps.cors);
}

/** Only `POST /todos/import`: CSV uploads, served apart from the rest of the API (see above). */
export function createUploadApi(deps: TodoApiDeps): TodoApi {
  const logger = deps.logger ?? silentLogger;
  const limits = bodyLimitsOf(deps);
  const { csvBytes } = limits;
  const importTodos = new ImportTodos(deps.todos, deps.imports, deps.clock ?? systemClock, logger);
  const memory = bodyMemoryFor(csvBytes, limits);
  const slots = new ImportSlots(deps.importConcurrency ?? DEFAULT_IMPORT_CONCURRENCY);
  return serveRoutes(
    addImportRoute(new Router(), { importTodos, csvBytes, memory, slots }),
    logger,
    deps.cors,
  );
}

/** Adds `POST /todos/import` to a router, accepting CSV bodies within `limits`. */
type AddUploads = (router: Router, limits: BodyLimits) => void;

function uploadsServedElsewhere(router: Router): void {
  router.on("POST", "/todos/import", () => {
    throw new NotImplementedError("CSV uploads are served by another function, not this one.");
  });
}

/**
 * Hello, health and readiness (the todo store answers, and so does each of `storesAnswer`), the workshop's routes,
 * the uploads route as `addUploads` makes it, and the REST resource.
 */
function todoRouter(
  deps: TodoRoutesDeps,
  addUploads: AddUploads,
  storesAnswer: readonly (() => Promise<unknown>)[] = [],
): Router {
  const clock = deps.clock ?? systemClock;
  const limits = bodyLimitsOf(deps);
  const json = { jsonBytes: limits.jsonBytes, jsonMemory: bodyMemoryFor(limits.jsonBytes, limits) };
  const useCases = todoUseCases(deps, clock);
  const router = addHelloRoutes(new Router())
    // Liveness: the process serves. It never looks at the store, so that a store outage does not get every
    // instance restarted by an orchestrator that reads a failing check as a hung process.
    .on("GET", "/health", () => jsonReply({ status: "ok" }))
    // Readiness: the todo store answers (a page of one todo), and the API's other stores, else 503
    // STORE_UNAVAILABLE, for an orchestrator or a monitor that should send no traffic to an instance whose store
    // it cannot reach.
    .on("GET", "/ready", async () => {
      await Promise.all([
        useCases.listTodos.execute({ limit: 1 }),
        ...storesAnswer.map((answers) => answers()),
      ]);
      return jsonReply({ status: "ready" });
    });
  addWorkshopTodoRoutes(router, { ...useCases, ...json });
  // Before `/todos/{id}`, so that `/todos/import` is not read as an id.
  addUploads(router, limits);
  return addRestTodoRoutes(router, { ...useCases, ...json });
}

/**
 * Only the workshop's `POST /todo/add` and `GET /todo/list`: what the workshop's `addTodo` and `listTodo`
 * functions serve, without the import code (smaller bundles, shorter cold starts).
 */
export function createWorkshopTodoApi(deps: TodoRoutesDeps): TodoApi {
  const clock = deps.clock ?? systemClock;
  const limits = bodyLimitsOf(deps);
  const { jsonBytes } = limits;
  const jsonMemory = bodyMemoryFor(jsonBytes, limits);
  const router = addWorkshopTodoRoutes(new Router(), { ...todoUseCases(deps, clock), jsonBytes, jsonMemory });
  return serveRoutes(router, deps.logger ?? silentLogger, deps.cors);
}

function todoUseCases(deps: TodoRoutesDeps, clock: Clock) {
  return {
    addTodo: new AddTodo(deps.todos, clock, deps.ids ?? randomIds),
    getTodo: new GetTodo(deps.todos),
    listTodos: new ListTodos(deps.todos, new CursorCodec(deps.cursorSecret)),
    updateTodo: new UpdateTodo(deps.todos, clock),
    deleteTodo: new DeleteTodo(deps.todos),
  };
}
