import { randomUUID } from "node:crypto";
import {
  type ClaimResult,
  guardStore,
  type ImportClaim,
  type ImportEntry,
  type ImportLedger,
  type ImportReport,
  type ImportStatus,
  type ObjectRef,
} from "@anycloud/core";
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { type Item, readInteger, readString } from "./attribute-values.js";
import { isConditionalCheckFailed, itemSentWithRefusal, watchAttempts } from "./sdk-errors.js";

export interface DynamoDbImportLedgerOptions {
  /** A table whose hash key is `importId` (S). */
  tableName: string;
}

const STORE = "import ledger";

// The checkpoint a renewal or a FAILED outcome may record (see core's `ImportEntry.writtenThrough`). A claim
// leaves it as it is, so that a takeover gets it with the entry.
const WRITTEN_THROUGH = { "#writtenThrough": "writtenThrough" };
const SET_WRITTEN_THROUGH = ", #writtenThrough = :writtenThrough";

// Each update below names the attributes its own expressions use, and no other: DynamoDB refuses a call with a
// name or a value left unused.
//
// Creates the import, or takes over one that FAILED or whose lease ran out, in one conditional write: of
// concurrent claims exactly one passes the condition. `if_not_exists` makes the same expression start a new
// entry at attempt 1 and keep a taken-over entry's startedAt. Instants are fixed-width ISO strings, so `<=`
// on strings compares them as times. Each claim writes a token of its own, by which it recognises its own
// write when the SDK retried it after an answer was lost.
const CLAIM = {
  UpdateExpression:
    "SET #source = :source, #status = :running, #attempt = if_not_exists(#attempt, :zero) + :one, " +
    "#startedAt = if_not_exists(#startedAt, :now), #leaseExpiresAt = :leaseExpiresAt, " +
    "#claimToken = :claimToken REMOVE #report",
  ConditionExpression:
    "attribute_not_exists(#importId) OR #status = :failed OR (#status = :running AND #leaseExpiresAt <= :now)",
  ExpressionAttributeNames: {
    "#importId": "importId",
    "#source": "source",
    "#status": "status",
    "#attempt": "attempt",
    "#startedAt": "startedAt",
    "#leaseExpiresAt": "leaseExpiresAt",
    "#report": "report",
    "#claimToken": "claimToken",
  },
} as const;

const FINISH = {
  UpdateExpression: "SET #status = :status, #report = :report",
  ConditionExpression: "#status = :running AND #attempt = :attempt",
  ExpressionAttributeNames: { "#status": "status", "#attempt": "attempt", "#report": "report" },
  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
} as const;

const RENEW = {
  UpdateExpression: "SET #leaseExpiresAt = :leaseExpiresAt",
  ConditionExpression: "#status = :running AND #attempt = :attempt",
  ExpressionAttributeNames: {
    "#status": "status",
    "#attempt": "attempt",
    "#leaseExpiresAt": "leaseExpiresAt",
  },
} as const;

/**
 * The import ledger in a DynamoDB table keyed by `importId`, one item per import; the source and the report
 * are stored as JSON strings (a report's errors are capped, so it stays far below the 400 KB item limit).
 * `claim`, `finish` and `renew` are single conditional `UpdateItem`s, safe across concurrent Lambda
 * invocations.
 *
 * @example
 * const ledger = new DynamoDbImportLedger(new DynamoDBClient({}), { tableName: "imports" });
 * const { claimed, entry } = await ledger.claim({ importId, source, now, leaseExpiresAt });
 */
export class DynamoDbImportLedger implements ImportLedger {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBClient,
    options: DynamoDbImportLedgerOptions,
  ) {
    this.tableName = options.tableName;
  }

  claim({ importId, source, now, leaseExpiresAt }: ImportClaim): Promise<ClaimResult> {
    const claimToken = randomUUID();
    return guardStore(STORE, async () => {
      try {
        const output = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { importId: { S: importId } },
            ...CLAIM,
            ExpressionAttributeValues: {
              ":source": { S: JSON.stringify(source) },
              ":running": { S: "RUNNING" },
              ":failed": { S: "FAILED" },
              ":zero": { N: "0" },
              ":one": { N: "1" },
              ":now": { S: now },
              ":leaseExpiresAt": { S: leaseExpiresAt },
              ":claimToken": { S: claimToken },
            },
            ReturnValues: "ALL_NEW",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { claimed: true, entry: entryOf(output.Attributes) };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        // Say who holds it, or how it ended. DynamoDB sends the item with the refusal; stand-ins that do not
        // are read instead. The holder may be this very claim, sent again by the SDK after its answer was lost.
        const item = await this.storedAfterRefusal(importId, error);
        const entry = entryOrUndefined(item);
        if (!entry) throw new Error(`Import ${importId} was neither claimed nor found.`, { cause: error });
        const ownClaim = entry.status === "RUNNING" && item?.claimToken?.S === claimToken;
        return { claimed: ownClaim, entry };
      }
    });
  }

  finish(importId: string, attempt: number, report: ImportReport, writtenThrough?: number): Promise<boolean> {
    const stored = JSON.stringify(report);
    return this.updateWhileHeld(
      importId,
      attempt,
      withWrittenThrough(FINISH, writtenThrough),
      {
        ":status": { S: report.status },
        ":report": { S: stored },
        ...writtenThroughValue(writtenThrough),
      },
      // Refused after an SDK retry, yet holding this attempt's report: the attempt whose answer was lost wrote it.
      (item) =>
        item.attempt?.N === String(attempt) && item.status?.S === report.status && item.report?.S === stored,
    );
  }

  renew(
    importId: string,
    attempt: number,
    leaseExpiresAt: string,
    writtenThrough?: number,
  ): Promise<boolean> {
    return this.updateWhileHeld(importId, attempt, withWrittenThrough(RENEW, writtenThrough), {
      ":leaseExpiresAt": { S: leaseExpiresAt },
      ...writtenThroughValue(writtenThrough),
    });
  }

  get(importId: string): Promise<ImportEntry | undefined> {
    return guardStore(STORE, () => this.read(importId));
  }

  /**
   * One conditional UpdateItem that applies only while `attempt` holds the RUNNING import; false otherwise,
   * unless an earlier attempt of it may have landed and the item it met already holds the update (`applied`).
   */
  private updateWhileHeld(
    importId: string,
    attempt: number,
    update: Update,
    values: Record<string, { S: string } | { N: string }>,
    applied?: (item: Item) => boolean,
  ): Promise<boolean> {
    return guardStore(STORE, async () => {
      const command = new UpdateItemCommand({
        TableName: this.tableName,
        Key: { importId: { S: importId } },
        ...update,
        ExpressionAttributeValues: {
          ...values,
          ":running": { S: "RUNNING" },
          ":attempt": { N: String(attempt) },
        },
      });
      const attempts = watchAttempts(command);
      try {
        await this.client.send(command);
        return true;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        if (applied === undefined || !attempts.mayHaveLanded()) return false;
        const item = await this.storedAfterRefusal(importId, error);
        return item !== undefined && applied(item);
      }
    });
  }

  /** The item a refused write met: DynamoDB sends it with the refusal (`ALL_OLD`); stand-ins may not. */
  private async storedAfterRefusal(importId: string, error: unknown): Promise<Item | undefined> {
    return itemSentWithRefusal(error) ?? (await this.readItem(importId));
  }

  private async read(importId: string): Promise<ImportEntry | undefined> {
    return entryOrUndefined(await this.readItem(importId));
  }

  private async readItem(importId: string): Promise<Item | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { importId: { S: importId } },
        ConsistentRead: true,
      }),
    );
    return output.Item;
  }
}

type Update = {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ReturnValuesOnConditionCheckFailure?: "ALL_OLD";
};

/** `update`, setting the checkpoint too when there is one (DynamoDB refuses a name or value left unused). */
function withWrittenThrough(update: Update, writtenThrough: number | undefined): Update {
  if (writtenThrough === undefined) return update;
  return {
    ...update,
    UpdateExpression: update.UpdateExpression + SET_WRITTEN_THROUGH,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...WRITTEN_THROUGH },
  };
}

function writtenThroughValue(writtenThrough: number | undefined): Record<string, { N: string }> {
  return writtenThrough === undefined ? {} : { ":writtenThrough": { N: String(writtenThrough) } };
}

function entryOrUndefined(item: Item | undefined): ImportEntry | undefined {
  return item === undefined || Object.keys(item).length === 0 ? undefined : entryOf(item);
}

function entryOf(item: Item | undefined): ImportEntry {
  if (item === undefined) throw new TypeError("The store returned no import entry.");
  const entry: ImportEntry = {
    importId: readString(item, "importId"),
    source: JSON.parse(readString(item, "source")) as ObjectRef,
    status: readString(item, "status") as ImportStatus,
    attempt: readInteger(item, "attempt"),
    startedAt: readString(item, "startedAt"),
    leaseExpiresAt: readString(item, "leaseExpiresAt"),
  };
  if (item.writtenThrough !== undefined) entry.writtenThrough = readInteger(item, "writtenThrough");
  if (item.report?.S !== undefined) entry.report = JSON.parse(item.report.S) as ImportReport;
  return entry;
}
