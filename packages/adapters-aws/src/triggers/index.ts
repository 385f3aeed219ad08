export {
  decodedS3Key,
  importCommandsFromS3Event,
  type S3ImportCommand,
  type S3ImportPlan,
  type SkippedS3Record,
} from "./s3-import-commands.js";
export {
  createS3ImportHandler,
  isWarmUpPing,
  type S3ImportHandler,
  type S3ImportOutcome,
} from "./s3-import-handler.js";
