import type { FetchApi } from "@anycloud/core";

/** A fetch-style API's response body ran past what a Lambda result can hold: reading it stopped there. */
export class ReplyTooLargeError extends Error {
  override readonly name: string = "ReplyTooLargeError";

  constructor(
    readonly status: number,
    readonly maxBytes: number,
  ) {
    super(`The response body is over ${maxBytes} bytes.`);
  }
}

/**
 * `api`, with each response body read no further than `maxBytes` (past them the body fails with
 * `ReplyTooLargeError` and its source is cancelled), and a HEAD response's body not read at all. The body is read
 * whole into the Lambda result: a streamed file or an endless stream (server-sent events) would otherwise be read
 * into memory until the function runs out of it or of time, where API Gateway answers a bare 502 or 504.
 */
export function boundedFetchApi(api: FetchApi, maxBytes: number): FetchApi {
  return async (request) => {
    const response = await api(request);
    const { body } = response;
    if (body === null) return response;
    const init = { status: response.status, statusText: response.statusText, headers: response.headers };
    if (request.method === "HEAD") {
      // Its answer has no body: whatever the API streams is never sent.
      body.cancel().catch(() => {});
      return new Response(null, init);
    }
    let read = 0;
    const bounded = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          if (read > maxBytes) controller.error(new ReplyTooLargeError(response.status, maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(bounded, init);
  };
}
