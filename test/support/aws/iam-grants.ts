import type { FunctionName } from "@anycloud/aws/local";

/** The resources a function's role names, by the labels both IAM tests use. */
export type GrantedResource = "logs" | "todos" | "imports" | "objects" | "failures";

const LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"];

/**
 * What each function may do, by resource: what its code calls, nothing more. serverless-package.test.ts
 * checks that the packaged roles grant exactly this; workshop-on-aws.test.ts, that every AWS call the
 * functions' code makes is in it (the stand-ins enforce no IAM, so nothing else would catch a missing one).
 */
export const GRANTS: Readonly<Record<FunctionName, Partial<Record<GrantedResource, readonly string[]>>>> = {
  hello: { logs: LOGS },
  helloHttp: { logs: LOGS },
  addTodo: { logs: LOGS, todos: ["dynamodb:PutItem"] },
  listTodo: { logs: LOGS, todos: ["dynamodb:Scan"] },
  api: {
    logs: LOGS,
    todos: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"],
  },
  importUpload: {
    logs: LOGS,
    todos: ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
    imports: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  },
  csvImport: {
    logs: LOGS,
    objects: ["s3:GetObject", "s3:GetObjectVersion"],
    todos: ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
    imports: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
    failures: ["sqs:SendMessage"],
  },
};

/**
 * Used with the function's role by Lambda itself, not by the function's code: the runtime writes the logs,
 * and Lambda sends a failed csvImport event to the failures queue (its on-failure destination).
 */
const USED_BY_LAMBDA: ReadonlySet<string> = new Set<GrantedResource>(["logs", "failures"]);

/** The calls `functionName`'s own code is granted: those its SDK clients are expected to make. */
export function grantedToCodeOf(functionName: FunctionName): { action: string; resource: string }[] {
  return Object.entries(GRANTS[functionName])
    .filter(([resource]) => !USED_BY_LAMBDA.has(resource))
    .flatMap(([resource, actions]) => (actions ?? []).map((action) => ({ action, resource })));
}

/** Whether `functionName`'s role grants `action` on `resource` (a GRANTS label, or a description of another). */
export function isGranted(functionName: FunctionName, action: string, resource: string): boolean {
  const byResource: Partial<Record<string, readonly string[]>> = GRANTS[functionName];
  return byResource[resource]?.includes(action) ?? false;
}
