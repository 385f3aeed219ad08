import { Writable } from "node:stream";
import { InMemoryTodoRepository, type Todo } from "@anycloud/core";
import { describe, expect, it } from "vitest";
import { listTodos, OutputError, writeOut } from "./list-todos.js";

const STAMP = "2026-11-27T00:00:00.000Z";

/** An in-memory store of `count` todos that counts the pages it is asked for. */
async function storeOf(count: number) {
  const repository = new InMemoryTodoRepository();
  const todos: Todo[] = Array.from({ length: count }, (_, index) => ({
    id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, "0")}`,
    task: `Task ${index + 1}`,
    name: index % 2 ? "Ada" : null,
    dueDate: index % 3 ? null : "2026-12-01",
    checked: index % 5 === 0,
    createdAt: STAMP,
    updatedAt: STAMP,
    version: 1,
  }));
  await repository.putMany(todos);
  const pages: number[] = [];
  return {
    pages,
    todos: {
      list: async (options: Parameters<InMemoryTodoRepository["list"]>[0]) => {
        pages.push(options.limit);
        return repository.list(options);
      },
    },
  };
}

/** A writable that keeps what it is given, and fails every write from the `failFrom`th with `error`. */
function output(failFrom = Number.POSITIVE_INFINITY, error?: NodeJS.ErrnoException) {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (chunks.length + 1 >= failFrom) return callback(error);
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { out, lines: () => chunks.join("").split("\n").filter(Boolean) };
}

const errno = (code: string) => Object.assign(new Error(`${code}: write failed`), { code, syscall: "write" });

describe("listTodos", () => {
  it("prints every todo, a page of 100 at a time", async () => {
    const { todos, pages } = await storeOf(250);
    const { out, lines } = output();
    await listTodos(todos, out, { json: false });
    expect(lines()).toHaveLength(250);
    expect(lines()[0]).toBe("[x] Task 1, due 2026-12-01  00000000-0000-4000-8000-000000000001");
    expect(lines()[1]).toBe("[ ] Task 2 (Ada)  00000000-0000-4000-8000-000000000002");
    expect(pages).toEqual([100, 100, 100]);
  });

  it("stops at the limit, asking for no more than it prints", async () => {
    const { todos, pages } = await storeOf(250);
    const { out, lines } = output();
    await listTodos(todos, out, { json: true, limit: 120 });
    expect(lines()).toHaveLength(120);
    expect(JSON.parse(lines()[119]!)).toMatchObject({ task: "Task 120", version: 1 });
    expect(pages).toEqual([100, 20]);
  });

  it("stops reading the store when the reader has gone (EPIPE), without an error", async () => {
    const { todos, pages } = await storeOf(1000);
    const { out, lines } = output(2, errno("EPIPE"));
    await listTodos(todos, out, { json: false });
    expect(lines()).toHaveLength(100);
    expect(pages).toEqual([100, 100]);
  });

  it("reports any other write error as an OutputError", async () => {
    const { todos, pages } = await storeOf(1000);
    const { out } = output(1, errno("ENOSPC"));
    const failure = listTodos(todos, out, { json: false });
    await expect(failure).rejects.toThrow(OutputError);
    await expect(failure).rejects.toThrow("could not write the list: ENOSPC: write failed");
    expect(pages).toEqual([100]);
  });

  it("reports a write that throws at once (a file descriptor stdout) as an OutputError", async () => {
    const { todos } = await storeOf(10);
    const out = new Writable({ write: () => {} });
    out.write = () => {
      throw errno("ENOSPC");
    };
    await expect(listTodos(todos, out, { json: false })).rejects.toThrow(OutputError);
  });
});

describe("listTodos and writeOut on a stream that outlives them", () => {
  it("leave no error listener behind on stdout, whether the write succeeds or fails", async () => {
    const { todos } = await storeOf(3);
    const written = output();
    const failing = output(1, errno("ENOSPC"));

    await listTodos(todos, written.out, { json: false });
    await writeOut(written.out, "report\n", "report");
    await listTodos(todos, failing.out, { json: false }).catch(() => {});
    await writeOut(failing.out, "report\n", "report").catch(() => {});

    expect(written.out.listenerCount("error")).toBe(0);
    expect(failing.out.listenerCount("error")).toBe(0);
  });
});

describe("writeOut", () => {
  it("writes the text, and is done once it is written", async () => {
    const { out, lines } = output();

    await writeOut(out, "COMPLETED: 1 imported\nimport 1\n", "report");

    expect(lines()).toEqual(["COMPLETED: 1 imported", "import 1"]);
  });

  it("is fine with a reader that has gone (EPIPE)", async () => {
    const { out } = output(1, errno("EPIPE"));

    await expect(writeOut(out, "report\n", "report")).resolves.toBeUndefined();
  });

  it("reports any other write error as an OutputError naming what it wrote, caused by the error", async () => {
    const cause = errno("ENOSPC");
    const { out } = output(1, cause);

    const failure = await writeOut(out, "report\n", "report").catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OutputError);
    expect(failure).toMatchObject({ message: "could not write the report: ENOSPC: write failed", cause });
  });
});
