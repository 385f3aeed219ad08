import { ValidationError } from "../shared/errors.js";
import {
  CONTROL_CHARACTERS,
  LONE_SURROGATE,
  NAME_MAX_LENGTH,
  REPLACEMENT_CHARACTER,
  VISIBLE_CHARACTER,
} from "../todos/text-rules.js";
import type { HttpRequest } from "./http-request.js";
import { jsonReply } from "./responses.js";
import { Router } from "./router.js";
import { type HttpApi, serveRoutes } from "./serve-routes.js";

/** The workshop's first exercises over HTTP: `GET /hello` and `GET /hello/{name}`. */
export function addHelloRoutes(router: Router): Router {
  return router
    .on("GET", "/hello", ({ request, url }) =>
      jsonReply({ message: "Hello World !", input: describeRequest(request, url) }),
    )
    .on("GET", "/hello/{name}", ({ request, url, params }) =>
      jsonReply({ message: `Hello ${greetable(params.name!)} !`, input: describeRequest(request, url) }),
    );
}

/**
 * Only the hello routes: what a function that greets needs, without the todo store, so that its bundle stays
 * small and its cold start short.
 */
export function createHelloApi(): HttpApi {
  return serveRoutes(addHelloRoutes(new Router()));
}

/** What the workshop echoed as `input`, minus headers (they may carry credentials). */
function describeRequest(request: HttpRequest, url: URL) {
  return { method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

/** `name` trimmed, when a todo's `name` could be it (the schema's rules, checked by hand); else a ValidationError. */
function greetable(name: string): string {
  const trimmed = name.trim();
  if (
    trimmed === "" ||
    longerThan(trimmed, NAME_MAX_LENGTH) ||
    CONTROL_CHARACTERS.test(trimmed) ||
    LONE_SURROGATE.test(trimmed) ||
    trimmed.includes(REPLACEMENT_CHARACTER) ||
    !VISIBLE_CHARACTER.test(trimmed)
  ) {
    throw new ValidationError([
      { path: ["name"], message: `must be 1-${NAME_MAX_LENGTH} printable characters` },
    ]);
  }
  return trimmed;
}

/** Whether `text` has more than `max` characters, counted as zod counts the todo's `name`: in code points. */
function longerThan(text: string, max: number): boolean {
  // UTF-16 units never undercount code points: a short string needs no walk.
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}
