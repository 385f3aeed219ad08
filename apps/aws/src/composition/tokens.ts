/** Tokens of the AWS app's own bindings; the ports' tokens are exported by core beside the ports. */
export const AWS_CONFIG = Symbol.for("anycloud.aws.Config");
export const DYNAMODB_CLIENT = Symbol.for("anycloud.aws.DynamoDBClient");
export const S3_CLIENT = Symbol.for("anycloud.aws.S3Client");
export const WORKSHOP_TODO_API = Symbol.for("anycloud.aws.WorkshopTodoApi");
export const TODO_API = Symbol.for("anycloud.aws.TodoApi");
export const IMPORT_TODOS = Symbol.for("anycloud.aws.ImportTodos");
export const UPLOAD_API = Symbol.for("anycloud.aws.UploadApi");
