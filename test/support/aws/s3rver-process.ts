// The launcher lives with the local loop of apps/aws, which starts the same s3rver.
export { startS3rver } from "@anycloud/aws/local";
