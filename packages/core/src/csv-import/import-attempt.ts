import { setImmediate as nextTurn } from "node:timers/promises";
import { StoreUnavailableError } from "../shared/errors.js";
import type { TodoRepository } from "../todos/ports/todo-repository.js";
import type { Todo } from "../todos/todo.js";
import type { ImportCommand, ImportOptions, ImportSettings } from "./import-command.js";
import { todoIdsFor } from "./import-identity.js";
import type { ImportLease } from "./import-lease.js";
import { ImportTally } from "./import-tally.js";
import type { ImportEntry } from "./ports/import-ledger.js";
import type { OpenedObject } from "./ports/object-source.js";
import { readTodoRows } from "./read-todo-rows.js";
import { TodoBatch } from "./todo-batch.js";

const PROGRESS_EVERY_ROWS = 1000;

/**
 * One claimed attempt at an import (`ImportTodos` claims it, and records its outcome): reads every row and
 * writes the valid ones in batches, with the lease kept before and after each batch written and after each
 * chunk read. `tally` counts what it did; `writtenThrough` is how far it got.
 *
 * A row up to the line an earlier attempt confirmed (`entry.writtenThrough`) is counted imported, not written;
 * each batch written whole, with no row failed so far, moves `writtenThrough` to its last row's line.
 */
export class ImportAttempt {
  readonly tally: ImportTally;
  /**
   * The line through which every valid row is stored: the checkpoint recorded with the lease and with a FAILED
   * outcome, which the next attempt goes on from (see `ImportEntry`).
   */
  writtenThrough: number | undefined;

  constructor(
    readonly entry: ImportEntry,
    private readonly lease: ImportLease,
    private readonly todos: TodoRepository,
    private readonly settings: ImportSettings,
  ) {
    this.tally = new ImportTally(settings.maxErrors);
    this.writtenThrough = entry.writtenThrough;
  }

  /**
   * Reads every row and writes the valid ones in batches; returns the report's note, if any. When the import
   * stops (a body broken off, a store down, a stop asked for), the rows read but not yet written are counted
   * failed, so that its report still adds up.
   */
  async importRows(
    opened: OpenedObject,
    command: ImportCommand,
    options: ImportOptions,
  ): Promise<string | undefined> {
    // A later attempt writes only what the earlier ones did not: users may have edited those todos since.
    const batch = new TodoBatch(this.todos, this.tally, this.entry.attempt > 1, options.signal);
    try {
      return await this.readAndWrite(batch, opened, command, options);
    } catch (error) {
      batch.abandon();
      throw error;
    }
  }

  /** `importRows`' loop: each row read is added to the batch, written when full. */
  private async readAndWrite(
    batch: TodoBatch,
    opened: OpenedObject,
    command: ImportCommand,
    { onProgress, signal }: ImportOptions,
  ): Promise<string | undefined> {
    const { entry, tally } = this;
    const idOf = todoIdsFor(entry.importId);
    const storedThrough = entry.writtenThrough ?? 0;
    /** The line of the last row added to the batch. */
    let lastAdded = 0;
    const keep = () => this.lease.keep(this.writtenThrough);
    const writeBatch = async () => {
      const wrote = await batch.write();
      if (wrote && tally.failed === 0) this.writtenThrough = lastAdded;
      return wrote;
    };
    // Every attempt stamps the same instant, so that a retry rewrites identical todos.
    const stamp = entry.startedAt;
    let reportedAt = 0;
    const reportProgress = () => {
      reportedAt = tally.rowsRead;
      onProgress?.(tally.progress(opened.size));
    };

    let header = false;
    const reads = readTodoRows(opened.body, {
      quote: command.quote ?? "auto",
      maxRecordBytes: this.settings.maxRecordBytes,
      ...(signal && { signal }),
      onBytes: (count) => {
        tally.bytesArrived(count);
      },
    });
    for await (const chunk of reads) {
      for (const read of chunk) {
        switch (read.kind) {
          case "row": {
            const { row, line } = read;
            tally.accept();
            if (line <= storedThrough) {
              tally.written(1);
              break;
            }
            const todo: Todo = {
              id: idOf(line),
              task: row.task,
              name: row.name ?? null,
              dueDate: row.dueDate ?? null,
              checked: row.checked,
              createdAt: stamp,
              updatedAt: stamp,
              version: 1,
            };
            lastAdded = line;
            if (batch.add(todo, line)) {
              // Checked before writing: a worker stuck past its lease (a read that stalled) may have lost the
              // import to another, whose todos this batch would overwrite.
              await keep();
              await writeBatch();
              reportProgress();
              await keep();
              await nextTurn();
              // A stop asked for while the batch was written: the parser sees the signal only between chunks.
              signal?.throwIfAborted();
            }
            break;
          }
          case "rejected":
            tally.reject({ line: read.line, reason: read.reason });
            break;
          case "header":
            header = true;
            break;
          case "header-rejected":
            tally.rejectHeader({ line: read.line, reason: read.reason });
            return "The header is not usable: no rows were read.";
        }
      }
      if (tally.rowsRead - reportedAt >= PROGRESS_EVERY_ROWS) reportProgress();
      // Reading is progress too: a file of rejected rows, or a slow source, writes nothing for a while, and
      // must not lose its claim to a redelivery while it reads.
      await keep();
      await nextTurn();
    }
    await keep();
    const wroteLast = await writeBatch();
    if (wroteLast || tally.rowsRead !== reportedAt) reportProgress();
    // Checked after the last batch for a takeover during it. Every row is written by then: a ledger that fails to
    // renew costs nothing more, and the finish that follows records the outcome (or fails, and says so itself).
    // Thrown, the failure had the whole file recorded FAILED, "stopped before the end of the file".
    if (wroteLast) await keep().catch(unlessStoreUnavailable);
    if (!header) return "The file is empty.";
    return tally.rowsRead === 0 ? "The file has a header but no rows." : undefined;
  }
}

/** Rethrows `error` unless it is a store's failure. */
function unlessStoreUnavailable(error: unknown): void {
  if (!(error instanceof StoreUnavailableError)) throw error;
}
