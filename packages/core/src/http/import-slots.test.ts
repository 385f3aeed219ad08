import { describe, expect, it } from "vitest";
import { InMemoryImportLedger } from "../csv-import/in-memory-import-ledger.js";
import { heldRequest } from "../test-support/held-request.js";
import { InMemoryTodoRepository } from "../todos/in-memory-todo-repository.js";
import { createTodoApi, createUploadApi, DEFAULT_IMPORT_CONCURRENCY } from "./create-todo-api.js";
import { ImportSlots } from "./import-slots.js";

/** A streamed upload (with its length, no key) that sends its header and a row, then waits until `finish`. */
function slowUpload() {
  const first = "task\nfirst row\n";
  const rest = "second row\n";
  const length = String(first.length + rest.length);
  const upload = heldRequest(
    "/todos/import",
    { "content-type": "text/csv", "content-length": length },
    first,
    rest,
  );
  return { ...upload, started: upload.arrived };
}

describe("uploads imported at once", () => {
  it("refuses one more than the API's slots 503 with Retry-After, before reading it, and takes one once a slot is free", async () => {
    const api = createTodoApi({
      todos: new InMemoryTodoRepository(),
      imports: new InMemoryImportLedger(),
      importConcurrency: 2,
    });
    const running = [slowUpload(), slowUpload()];
    const answers = running.map(({ request }) => api.handle(request));
    await Promise.all(running.map(({ started }) => started));

    const third = slowUpload();
    const refused = await api.handle(third.request);

    expect(refused.status).toBe(503);
    expect(refused.headers?.["retry-after"]).toBe("5");
    expect(JSON.parse(refused.body as string)).toMatchObject({
      code: "SERVER_BUSY",
      detail: "The server is importing as many uploads as it may at once; send this one again in 5 s.",
    });
    expect(third.pulls()).toBe(0);

    running[0]!.finish();
    expect((await answers[0]!).status).toBe(200);
    const fourth = slowUpload();
    fourth.finish();
    expect((await api.handle(fourth.request)).status).toBe(200);
    running[1]!.finish();
    expect((await answers[1]!).status).toBe(200);
  });

  it("refuses an upload whose Content-Length is over the limit 413, not 503, while every slot is taken", async () => {
    const api = createTodoApi({
      todos: new InMemoryTodoRepository(),
      imports: new InMemoryImportLedger(),
      importConcurrency: 1,
      limits: { csvBytes: 1_000 },
    });
    const running = slowUpload();
    const answer = api.handle(running.request);
    await running.started;

    const tooLong = heldRequest(
      "/todos/import",
      { "content-type": "text/csv", "content-length": "1001" },
      "task\n",
    );
    const refused = await api.handle(tooLong.request);

    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body as string)).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(tooLong.pulls()).toBe(0);
    running.finish();
    expect((await answer).status).toBe(200);
  });

  it("gives a slot back when its import fails", async () => {
    const slots = new ImportSlots(1);

    await expect(slots.use(() => Promise.reject(new Error("store down")))).rejects.toThrow("store down");

    expect(slots.inUse).toBe(0);
    await expect(slots.use(async () => "next")).resolves.toBe("next");
  });

  it("takes eight at once by default, in the whole API and in the upload API alike", async () => {
    expect(DEFAULT_IMPORT_CONCURRENCY).toBe(8);
    for (const create of [createTodoApi, createUploadApi]) {
      const api = create({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() });
      const running = Array.from({ length: 8 }, () => slowUpload());
      const answers = running.map(({ request }) => api.handle(request));
      await Promise.all(running.map(({ started }) => started));

      expect((await api.handle(slowUpload().request)).status).toBe(503);
      for (const upload of running) upload.finish();
      for (const answer of answers) expect((await answer).status).toBe(200);
    }
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s slots", (max) => {
    expect(() => new ImportSlots(max)).toThrow(new RangeError("An API imports at least one upload at once."));
  });

  it("takes one slot", async () => {
    await expect(new ImportSlots(1).use(async () => "imported")).resolves.toBe("imported");
  });
});
