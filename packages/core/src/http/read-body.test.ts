import { describe, expect, it, vi } from "vitest";
import {
  InvalidParameterError,
  MalformedJsonError,
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from "./http-errors.js";
import type { HttpRequest } from "./http-request.js";
import {
  assertCsvBody,
  BodyMemory,
  limitedBody,
  MAX_JSON_CONTAINERS,
  mediaTypeOf,
  readJsonBody,
  replay,
  useUploadBody,
} from "./read-body.js";

const post = (body: BodyInit, contentType = "application/json", headers: Record<string, string> = {}) =>
  new Request("http://x/", {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...headers },
    duplex: "half",
  } as RequestInit);

describe("reading bodies", () => {
  it("parses JSON with a charset parameter, and a JSON Merge Patch", async () => {
    expect(await readJsonBody(post('{"a":1}', "application/json; charset=UTF-8"), 100)).toEqual({ a: 1 });
    // ASCII is UTF-8's 7-bit subset: text sent as ASCII reads the same.
    expect(await readJsonBody(post('{"a":1}', "application/json; charset=US-ASCII"), 100)).toEqual({ a: 1 });
    expect(await readJsonBody(post('{"a":1}', "application/merge-patch+json"), 100)).toEqual({ a: 1 });
  });

  it.each([
    "application/json ; charset=utf-8",
    "application/json; charset=utf8",
    "application/json;charset=ascii",
  ])(
    "parses JSON sent as %j: blanks before a parameter, and UTF-8's and ASCII's other names",
    async (type) => {
      expect(await readJsonBody(post('{"a":1}', type), 100)).toEqual({ a: 1 });
    },
  );

  it.each(["application/json;charset=latin1", "application/json; charset = latin1"])(
    "refuses JSON sent as %j, however its charset parameter is spaced",
    async (type) => {
      await expect(readJsonBody(post("{}", type), 100)).rejects.toThrow(/must be UTF-8/);
    },
  );

  it.each(["identity", "Identity"])("reads a body sent with Content-Encoding: %s", async (encoding) => {
    expect(
      await readJsonBody(post('{"a":1}', "application/json", { "content-encoding": encoding }), 100),
    ).toEqual({ a: 1 });
  });

  it("refuses a compressed body, naming its coding", async () => {
    await expect(
      readJsonBody(post("{}", "application/json", { "content-encoding": "gzip" }), 100),
    ).rejects.toMatchObject({ constructor: UnsupportedContentEncodingError, encoding: "gzip" });
  });

  it("lists the patch formats in a PATCH's 415 (Accept-Patch), and in no other method's", async () => {
    const patch = new Request("http://x/", {
      method: "PATCH",
      body: "{}",
      headers: { "content-type": "text/plain" },
    });

    await expect(readJsonBody(patch, 100)).rejects.toMatchObject({
      acceptPatch: ["application/json", "application/merge-patch+json"],
    });
    await expect(readJsonBody(post("{}", "text/plain"), 100)).rejects.toMatchObject({
      acceptPatch: undefined,
    });
  });

  it("lists the patch formats in a PATCH's 415 for its charset too: the charset is part of the format", async () => {
    const patch = new Request("http://x/", {
      method: "PATCH",
      body: "{}",
      headers: { "content-type": "application/merge-patch+json; charset=latin1" },
    });

    await expect(readJsonBody(patch, 100)).rejects.toMatchObject({
      message: expect.stringMatching(/must be UTF-8/),
      acceptPatch: ["application/json", "application/merge-patch+json"],
    });
  });

  it.each(["x1", "1x", "1 2", "-1", "1e3", "1234567890123456"])(
    "refuses a Content-Length of %j: it is no number of bytes",
    async (length) => {
      await expect(
        readJsonBody(post("{}", "application/json", { "content-length": length }), 100),
      ).rejects.toMatchObject({
        constructor: InvalidParameterError,
        parameter: "Content-Length",
        message: "Content-Length must be a number of bytes.",
      });
    },
  );

  it("refuses a body longer than its Content-Length, at the first byte beyond it", async () => {
    await expect(
      readJsonBody(post('{"a":1}', "application/json", { "content-length": "3" }), 100),
    ).rejects.toMatchObject({
      constructor: MalformedRequestError,
      message: "The body is longer than its Content-Length.",
    });
  });

  it.each(["null", '"text"', "5", "[1,1]"])(
    "gives back a JSON body that is no object as it is: %s",
    async (body) => {
      expect(await readJsonBody(post(body), 100)).toEqual(JSON.parse(body));
    },
  );

  it.each(["text/csv", "text/csv; charset=utf-8", "application/csv; charset=US-ASCII"])(
    "takes a CSV upload of %j",
    (type) => {
      expect(() => assertCsvBody(post("task\nx\n", type))).not.toThrow();
    },
  );

  it.each(["text/csv; charset=utf-16", "text/csv; charset=windows-1252", "text/plain"])(
    "refuses a CSV upload of %j",
    (type) => {
      expect(() => assertCsvBody(post("task\nx\n", type))).toThrow(UnsupportedMediaTypeError);
    },
  );

  it.each([
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
    "application/json; charset=latin1",
    "application/json-patch+json",
    "text/html+json",
  ])("refuses the content type %j", async (type) => {
    await expect(readJsonBody(post("{}", type), 100)).rejects.toThrow(UnsupportedMediaTypeError);
  });

  it.each([
    ["text/plain", /must be application\/json \(or application\/merge-patch\+json\)/],
    ["application/json; charset=iso-8859-1", /must be UTF-8/],
    ["application/merge-patch+json; charset=utf-16", /must be UTF-8/],
  ])("says what was wrong with the content type %j: the type, or its charset", async (type, detail) => {
    await expect(readJsonBody(post("{}", type), 100)).rejects.toThrow(detail);
  });

  it.each([
    ["text/plain", /must be text\/csv/],
    ["text/csv; charset=windows-1252", /must be UTF-8/],
  ])("says what was wrong with a CSV upload's content type %j", (type, detail) => {
    expect(() => assertCsvBody(post("task\nx\n", type))).toThrow(detail);
  });

  it.each([
    '{"task":"a","task":"b"}',
    '{"task":"\\u0000x", "checked": true, "task" : "ok"}',
    '{"a":{"b":1},"a":2}',
  ])("refuses an object that names a member twice: %s", async (body) => {
    await expect(readJsonBody(post(body), 100)).rejects.toThrow(MalformedJsonError);
  });

  it.each([
    ['{"a":"\\"a\\":","b":[{"a":1},{"a":2}],"c":{"a":1,"b":{"a":2}}}', 3],
    ['{"__proto__":1,"constructor":2}', 2],
    ['[{"a":1},{"a":1}]', 2],
    ['{ "a" : 1 , "b" :\n2 }', 2],
  ])("reads a repeat only at the top level and outside strings: %s", async (body, size) => {
    const value = await readJsonBody(post(body), 100);

    expect(Object.keys(value as object)).toHaveLength(size);
  });

  it("refuses a body of more than MAX_JSON_CONTAINERS objects and arrays before parsing it", async () => {
    const nested = (depth: number) => `{"task":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
    const many = (count: number) => `{"task":[${Array.from({ length: count - 2 }, () => "{}").join(",")}]}`;
    const limit = 1024 * 1024;
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (const body of [nested(MAX_JSON_CONTAINERS + 1), many(MAX_JSON_CONTAINERS + 1), nested(100_000)]) {
        await expect(readJsonBody(post(body), limit)).rejects.toThrow(/more than 1000 objects and arrays/);
      }
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    expect(await readJsonBody(post(nested(MAX_JSON_CONTAINERS)), limit)).toHaveProperty("task");
    expect(await readJsonBody(post(many(MAX_JSON_CONTAINERS)), limit)).toHaveProperty("task");
  });

  it.each([
    ["brackets inside strings", `{"task":"${"[{".repeat(2000)}"}`],
    [
      "strings with escaped quotes and backslashes",
      JSON.stringify({ task: `"\\"${"[".repeat(2000)}\\`, name: `\\${"{".repeat(2000)}"` }),
    ],
    ["a string that goes on after an escaped quote", JSON.stringify({ task: `a"${"[".repeat(2000)}` })],
  ])("counts no objects or arrays in %s", async (_, body) => {
    expect(await readJsonBody(post(body), 1024 * 1024)).toHaveProperty("task");
  });

  it("refuses invalid UTF-8, an empty body and malformed JSON", async () => {
    await expect(readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d])), 100)).rejects.toThrow(
      MalformedJsonError,
    );
    await expect(readJsonBody(post(""), 100)).rejects.toThrow(MalformedJsonError);
    await expect(readJsonBody(post("{"), 100)).rejects.toThrow(MalformedJsonError);
  });

  it("keeps the decoder's or the parser's error as the cause of a body it cannot read", async () => {
    const notUtf8 = (await readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d])), 100).catch(
      (error) => error,
    )) as Error;
    const notJson = (await readJsonBody(post("{"), 100).catch((error) => error)) as Error;

    expect(notUtf8.cause).toBeInstanceOf(TypeError);
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
  });

  it("reads the media type without parameters, lower-cased, and none as empty", () => {
    expect(mediaTypeOf(post("", " Text/CSV ; charset=utf-8"))).toBe("text/csv");
    expect(mediaTypeOf({ method: "POST", url: "http://x/", headers: new Headers(), body: null })).toBe("");
  });

  it("says what was wrong with a body that is no JSON", async () => {
    const invalidUtf8InAString = Buffer.concat([
      Buffer.from('{"task":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    const noBody = new Request("http://x/", {
      method: "POST",
      headers: { "content-type": "application/json" },
    });

    for (const [body, detail] of [
      [post(invalidUtf8InAString), "The body is not valid UTF-8."],
      [post(""), "The body is empty; send a JSON object."],
      [post(" \r\n\t"), "The body is empty; send a JSON object."],
      [noBody, "The body is empty; send a JSON object."],
      [post("{"), "The body is not well-formed JSON."],
      [post('{"task":"never closed'), "The body is not well-formed JSON."],
      [post('{"a":1,"a":2}'), "The body names a member twice."],
    ] as const) {
      await expect(readJsonBody(body, 100), detail).rejects.toMatchObject({
        constructor: MalformedJsonError,
        message: detail,
      });
    }
  });

  it("refuses a declared length over the limit without reading the body", async () => {
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    });

    await expect(
      readJsonBody(post(body, "application/json", { "content-length": "1000" }), 100),
    ).rejects.toThrow(PayloadTooLargeError);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("stops reading a streamed body as soon as it passes the limit, and cancels the rest", async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64));
      },
      cancel() {
        cancelled = true;
      },
    });

    const read = async () => {
      for await (const _ of limitedBody(post(endless), 1000)) {
        // consume
      }
    };

    await expect(read()).rejects.toThrow(PayloadTooLargeError);
    expect(pulled).toBeLessThan(20);
    expect(cancelled).toBe(true);
  });
});

describe("replay", () => {
  it("streams bytes read already in slices of 64 KiB, as a socket would", async () => {
    const bytes = Buffer.alloc(150 * 1024, 7);

    const slices: Uint8Array[] = [];
    for await (const slice of replay(bytes)) slices.push(slice);

    expect(slices.map((slice) => slice.length)).toEqual([64 * 1024, 64 * 1024, 22 * 1024]);
    expect(Buffer.concat(slices).equals(bytes)).toBe(true);
  });

  it("streams nothing for no bytes", async () => {
    const slices: Uint8Array[] = [];
    for await (const slice of replay(new Uint8Array())) slices.push(slice);

    expect(slices).toEqual([]);
  });
});

describe("useUploadBody", () => {
  // As a Lambda event's body arrives: one chunk, with the Content-Length the client sent.
  it("streams a body that arrives in one chunk in slices of 64 KiB, as it streams one read whole", async () => {
    const bytes = Buffer.alloc(150 * 1024, 7);
    const request: HttpRequest = {
      method: "POST",
      url: "http://x/todos/import",
      headers: new Headers({ "content-type": "text/csv", "content-length": String(bytes.length) }),
      body: (async function* () {
        yield bytes;
      })(),
    };

    const slices: Uint8Array[] = [];
    await useUploadBody(request, 1024 * 1024, new BodyMemory(1024 * 1024), async (body) => {
      for await (const slice of body) slices.push(slice);
    });

    expect(slices.map((slice) => slice.length)).toEqual([64 * 1024, 64 * 1024, 22 * 1024]);
    expect(Buffer.concat(slices).equals(bytes)).toBe(true);
  });
});
