import { describe, expect, it } from "vitest";
import { isRetryableBatchError } from "./sdk-errors.js";

describe("isRetryableBatchError", () => {
  // DynamoDB's throttling errors: per table or index, per account (RequestLimitExceeded), and the generic one.
  it.each(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"])(
    "retries a call throttled with %s",
    (name) => {
      expect(isRetryableBatchError({ name, $metadata: { httpStatusCode: 400 } })).toBe(true);
    },
  );

  it("retries a call the service failed (5xx)", () => {
    expect(isRetryableBatchError({ name: "InternalServerError", $metadata: { httpStatusCode: 500 } })).toBe(
      true,
    );
  });

  it.each([
    ["a refused call", { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }],
    ["a missing table", { name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } }],
    ["a network error", Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" })],
  ])("does not retry %s", (_, error) => {
    expect(isRetryableBatchError(error)).toBe(false);
  });
});
