// The baseline of bench/aws-cold-start.mjs: what a careful developer writes by hand for the same two jobs,
// in one file, with the same SDK client and no framework. `POST /todo/add` validates a little and PutItems the
// todo (conditional on a fresh id, as ours is); `GET /todos?limit=N` Scans one page. It is bundled with the
// same esbuild settings as apps/aws/scripts/bundle.mjs and invoked with the same HTTP API 2.0 events.
import { randomUUID } from "node:crypto";
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient(
  process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {},
);
const TABLE = process.env.TODOS_TABLE;

const json = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});
const text = (value) => (typeof value === "string" ? value.trim() : "");
const stringOrNull = (value) => (value ? { S: value } : { NULL: true });
const fromItem = (item) => ({
  id: item.id.S,
  task: item.task.S,
  name: item.name?.S ?? null,
  dueDate: item.dueDate?.S ?? null,
  checked: item.checked?.BOOL ?? false,
  createdAt: item.createdAt.S,
  updatedAt: item.updatedAt.S,
  version: Number(item.version.N),
});

export async function handler(event) {
  const method = event.requestContext?.http?.method;
  if (method === "POST" && event.rawPath === "/todo/add") {
    let input;
    try {
      const body = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
      input = JSON.parse(body ?? "");
    } catch {
      return json(400, { message: "The body is not JSON." });
    }
    const task = text(input?.task);
    if (task === "" || task.length > 500) return json(400, { message: "task must be 1-500 characters." });
    const dueDate = text(input.dueDate);
    if (dueDate !== "" && !/^\d{4}-\d{2}-\d{2}$/.test(dueDate))
      return json(400, { message: "dueDate must be YYYY-MM-DD." });
    const now = new Date().toISOString();
    const todo = {
      id: randomUUID(),
      task,
      name: text(input.name) || null,
      dueDate: dueDate || null,
      checked: input.checked === true,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          id: { S: todo.id },
          task: { S: todo.task },
          name: stringOrNull(todo.name),
          dueDate: stringOrNull(todo.dueDate),
          checked: { BOOL: todo.checked },
          createdAt: { S: now },
          updatedAt: { S: now },
          version: { N: "1" },
        },
        ConditionExpression: "attribute_not_exists(id)",
      }),
    );
    return json(200, { message: "Task added.", Item: todo });
  }
  if (method === "GET" && event.rawPath === "/todos") {
    const limit = Math.min(Math.max(Number(event.queryStringParameters?.limit) || 20, 1), 100);
    const output = await client.send(new ScanCommand({ TableName: TABLE, Limit: limit }));
    const next = output.LastEvaluatedKey?.id?.S;
    return json(200, {
      items: (output.Items ?? []).map(fromItem),
      nextCursor: next ? Buffer.from(next).toString("base64url") : null,
    });
  }
  return json(404, { message: "Not found." });
}
