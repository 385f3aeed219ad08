// The stores' contracts on dynalite, the stand-in the tests fall back to on a machine without Java or a container
// runtime: whichever stand-in the other AWS tests picked here, the fallback must hold the same contract, or a
// machine without Java would fail for the stand-in's sake rather than the code's.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll } from "vitest";
import { dynamoDbClientFor } from "../support/aws/aws-clients.js";
import { describeDynamoDbContracts } from "../support/aws/dynamodb-contracts.js";
import { type DynamoDbStandIn, startDynamoDb } from "../support/aws/dynamodb-stand-in.js";

const standIn: DynamoDbStandIn = await startDynamoDb({ kind: "dynalite" });
const client: DynamoDBClient = dynamoDbClientFor(standIn.endpoint);

afterAll(async () => {
  client.destroy();
  await standIn.stop();
});

describeDynamoDbContracts("dynalite (the fallback)", client);
