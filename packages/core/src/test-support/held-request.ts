import type { HttpRequest } from "../http/http-request.js";

/**
 * A request whose body sends `first` and then waits until `finish` is called to send `rest`, as a slow client
 * holds one open; `pulls` counts the chunks asked for.
 */
export function heldRequest(
  path: string,
  headers: Record<string, string>,
  first: string,
  rest = "",
): { request: HttpRequest; arrived: Promise<void>; finish: () => void; pulls: () => number } {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  let pulls = 0;
  const body = (async function* () {
    pulls++;
    yield new TextEncoder().encode(first);
    arrive();
    await finished;
    pulls++;
    if (rest !== "") yield new TextEncoder().encode(rest);
  })();
  const request = { method: "POST", url: `http://localhost${path}`, headers: new Headers(headers), body };
  return { request, arrived, finish, pulls: () => pulls };
}
