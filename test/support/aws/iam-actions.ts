import type { FunctionRequest } from "./function-requests.js";

/** What IAM authorises for a request: an action on a resource, named by GRANTS' label when it has one. */
export interface Access {
  action: string;
  resource: string;
}

/** The app's resources on the stand-ins, to name what a request reaches by GRANTS' labels. */
export interface AppResources {
  tables: { todos: string; imports: string };
  bucket: string;
  /** `host:port` of the S3 endpoint the functions are given (path-style, as they address a local one). */
  s3Host: string;
}

/**
 * The accesses IAM checks for a request sent to DynamoDB or S3, as AWS documents them per operation. A
 * request this cannot name (another service, an S3 subresource not mapped below) comes back as an action no
 * role is granted, so that a new kind of call fails until it is mapped here and granted.
 */
export function accessesOf(request: FunctionRequest, resources: AppResources): Access[] {
  // DynamoDB's JSON protocol names the operation in a header; S3 may share its host (LocalStack).
  const operation = /^DynamoDB_20120810\.(\w+)$/.exec(request.headers["x-amz-target"] ?? "")?.[1];
  if (operation !== undefined) return dynamoDbAccesses(operation, request.body, resources.tables);
  if (request.headers.host === resources.s3Host) return s3Accesses(request, resources.bucket);
  return [{ action: `unknown: ${request.method} ${request.headers.host}${request.path}`, resource: "?" }];
}

interface DynamoDbInput {
  TableName?: string;
  IndexName?: string;
  RequestItems?: Record<string, unknown>;
}

function dynamoDbAccesses(
  operation: string,
  body: string | undefined,
  tables: AppResources["tables"],
): Access[] {
  const input = JSON.parse(body ?? "{}") as DynamoDbInput;
  const labelOf = (table: string) =>
    table === tables.todos ? "todos" : table === tables.imports ? "imports" : `table ${table}`;
  const action = `dynamodb:${operation}`;
  if (input.TableName !== undefined) {
    // A query of an index is authorised on the index, which GRANTS does not name.
    const index = input.IndexName === undefined ? "" : ` index ${input.IndexName}`;
    return [{ action, resource: `${labelOf(input.TableName)}${index}` }];
  }
  const batched = Object.keys(input.RequestItems ?? {});
  // One that names no table this way (ListTables, a transaction, a body not recorded) is taken as on "*", which no
  // role is granted: map it here when the code starts to make it.
  return batched.length === 0
    ? [{ action, resource: "*" }]
    : batched.map((table) => ({ action, resource: labelOf(table) }));
}

/** The S3 calls the functions may make, as IAM names them; any other is reported as not mapped, and fails. */
function s3Accesses(request: FunctionRequest, bucket: string): Access[] {
  const url = new URL(request.path, "http://s3");
  const [name = "", ...rest] = url.pathname.slice(1).split("/");
  const onObject = rest.join("/") !== "";
  const resource = decodeURIComponent(name) !== bucket ? `bucket ${name}` : onObject ? "objects" : "bucket";
  // Query parameters other than these name a subresource (`?tagging`, `?uploads`...): another operation.
  const subresource = [...url.searchParams.keys()].some((key) => !["x-id", "versionId"].includes(key));
  const shape = `${request.method} ${onObject ? "object" : "bucket"}`;
  let action = `s3 ${shape}${subresource ? ` ${url.search}` : ""}, not mapped in iam-actions.ts`;
  if (!subresource && (shape === "GET object" || shape === "HEAD object")) {
    // HeadObject is authorised as GetObject; reading a given version of an object, as GetObjectVersion.
    action = url.searchParams.has("versionId") ? "s3:GetObjectVersion" : "s3:GetObject";
  } else if (!subresource && (shape === "GET bucket" || shape === "HEAD bucket")) {
    action = "s3:ListBucket"; // ListObjects(V2) and HeadBucket.
  }
  return [{ action, resource }];
}
