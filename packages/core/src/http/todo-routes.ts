import { ValidationError } from "../shared/errors.js";
import { TodoNotFoundError, VersionConflictError } from "../todos/errors.js";
import { isRefusedVersion, type VersionPreconditions } from "../todos/todo.js";
import type { AddTodo } from "../todos/use-cases/add-todo.js";
import type { DeleteTodo } from "../todos/use-cases/delete-todo.js";
import type { GetTodo } from "../todos/use-cases/get-todo.js";
import { type ListTodos, MAX_PAGE_SIZE } from "../todos/use-cases/list-todos.js";
import type { UpdateTodo } from "../todos/use-cases/update-todo.js";
import { MalformedJsonError } from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import { etagOf, hasVersionPrecondition, versionPreconditionsFrom } from "./preconditions.js";
import { readCursor, readLimit } from "./query.js";
import { type BodyMemory, readJsonBody } from "./read-body.js";
import { emptyReply, jsonReply } from "./responses.js";
import type { Router } from "./router.js";

/**
 * The most todos `GET /todo/list` answers with. The workshop's single Scan stopped at 1 MB; reading every todo
 * instead would break a function's 6 MB response limit after a few thousand long todos (one CSV upload), and a
 * todo is at most about 2.7 KB of JSON, so 1,000 of them stay under 3 MB.
 */
export const WORKSHOP_LIST_LIMIT = 1000;

/**
 * The workshop's exercise 3: `POST /todo/add` and `GET /todo/list`, with the original response shapes. A list
 * cut at `WORKSHOP_LIST_LIMIT` says where the rest is with a `Link: <...>; rel="next"` header to `/todos`.
 */
export function addWorkshopTodoRoutes(
  router: Router,
  { addTodo, listTodos, jsonBytes, jsonMemory }: { addTodo: AddTodo; listTodos: ListTodos } & JsonBodies,
): Router {
  return router
    .on("POST", "/todo/add", async ({ request }) => {
      const todo = await addTodo.execute(await readJsonBody(request, jsonBytes, jsonMemory));
      return jsonReply({ message: "Task added.", Item: todo });
    })
    .on("GET", "/todo/list", async () => {
      const { items, nextCursor } = await listTodos.first(WORKSHOP_LIST_LIMIT);
      if (nextCursor === undefined) return jsonReply(items);
      // The body keeps the workshop's shape, an array; the rest is where the REST route's pages go on.
      const next = `/todos?limit=${MAX_PAGE_SIZE}&cursor=${encodeURIComponent(nextCursor)}`;
      return jsonReply(items, 200, { link: `<${next}>; rel="next"` });
    });
}

/** How JSON bodies are read: up to `jsonBytes` each, held against `jsonMemory` while they are read. */
export interface JsonBodies {
  jsonBytes: number;
  jsonMemory: BodyMemory;
}

export interface RestTodoUseCases {
  addTodo: AddTodo;
  getTodo: GetTodo;
  listTodos: ListTodos;
  updateTodo: UpdateTodo;
  deleteTodo: DeleteTodo;
}

/**
 * A GET's preconditions; a malformed header is read as absent (the other one still counts): refusing a safe read
 * helps no one, and some clients send a bare `If-None-Match: 1`, which GETs answered 200 before preconditions were
 * read at all. (A PATCH or DELETE with one is refused, 400: it asked for a condition on a change, which must not
 * go ahead unconditionally.)
 */
function readPreconditionsOfRead(request: HttpRequest): VersionPreconditions {
  return versionPreconditionsFrom(request, { ignoreMalformed: true });
}

/**
 * The REST resource `/todos`: create (201 + Location), list (cursor pages), get, patch and delete, each of the
 * last three conditional on `If-Match` and `If-None-Match` (RFC 9110 §13).
 */
export function addRestTodoRoutes(router: Router, useCases: RestTodoUseCases & JsonBodies): Router {
  const { addTodo, getTodo, listTodos, updateTodo, deleteTodo, jsonBytes, jsonMemory } = useCases;
  return router
    .on("POST", "/todos", async ({ request }) => {
      const todo = await addTodo.execute(await readJsonBody(request, jsonBytes, jsonMemory));
      return jsonReply(todo, 201, { location: `/todos/${todo.id}`, etag: etagOf(todo.version) });
    })
    .on("GET", "/todos", async ({ url }) => {
      const page = await listTodos.execute({ limit: readLimit(url), cursor: readCursor(url) });
      return jsonReply({ items: page.items, nextCursor: page.nextCursor ?? null });
    })
    .on("GET", "/todos/{id}", async ({ request, params }) => {
      // Looked up first: an unknown id is 404 whatever its preconditions (RFC 9110 §13.2.1), as on PATCH.
      const todo = await getTodo.execute(params.id!);
      const { acceptedVersions, refusedVersions } = readPreconditionsOfRead(request);
      const etag = etagOf(todo.version);
      // RFC 9110 §13.2.2: If-Match first (412 when it names another version), then If-None-Match, which a
      // GET or HEAD answers 304 with the ETag when it names the current version: the caller's copy is current.
      if (acceptedVersions !== undefined && !acceptedVersions.includes(todo.version)) {
        throw new VersionConflictError(todo.id, acceptedVersions);
      }
      if (isRefusedVersion(todo.version, refusedVersions)) return emptyReply(304, { etag });
      return jsonReply(todo, 200, { etag });
    })
    .on("PATCH", "/todos/{id}", async ({ request, params }) => {
      const id = params.id!;
      const preconditions = versionPreconditionsFrom(request);
      try {
        const todo = await updateTodo.execute(
          id,
          await readJsonBody(request, jsonBytes, jsonMemory),
          preconditions,
        );
        return jsonReply(todo, 200, { etag: etagOf(todo.version) });
      } catch (error) {
        // With an If-Match or If-None-Match (`*` too), a body that does not parse or validate is answered after
        // the precondition: the todo's absence, a version it is not at, or one it is at that If-None-Match names.
        // A store that cannot say leaves the body's fault the answer.
        const contentFault = error instanceof MalformedJsonError || error instanceof ValidationError;
        if (contentFault && hasVersionPrecondition(request)) {
          await updateTodo.checkBeforeContent(id, preconditions).catch((unmet: unknown) => {
            if (unmet instanceof TodoNotFoundError || unmet instanceof VersionConflictError) throw unmet;
          });
        }
        throw error;
      }
    })
    .on("DELETE", "/todos/{id}", async ({ request, params }) => {
      await deleteTodo.execute(params.id!, versionPreconditionsFrom(request));
      return emptyReply(204);
    });
}
