// The launcher lives with the local loop of apps/aws, which starts the same DynamoDB Local.
export { dynamoDbLocalFolder, javaWorks, startDynamoDbLocal } from "@anycloud/aws/local";
