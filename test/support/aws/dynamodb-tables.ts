// The tables are created alike by the tests and by the local loop of apps/aws.
export { createTables, type TableNames, uniqueTableName } from "@anycloud/aws/local";
