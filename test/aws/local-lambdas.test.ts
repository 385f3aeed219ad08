import { LocalLambdas, ResultTooLargeError } from "@anycloud/aws/local";
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";

/** A promise and the function that settles it. */
function deferred() {
  let resolve: (value?: unknown) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("LocalLambdas, running the functions as Lambda does", () => {
  it("gives the handler a Lambda context named after the function", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-3");
    let context: Context | undefined;
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async (_: unknown, given: Context) => {
          context = given;
          return null;
        },
      }),
      () => {},
    );

    await lambdas.invoke("csvImport", {});

    expect(context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: "anycloud-workshop-local-csvImport",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:eu-west-3:000000000000:function:anycloud-workshop-local-csvImport",
      memoryLimitInMB: "512",
      logGroupName: "/aws/lambda/anycloud-workshop-local-csvImport",
    });
    expect(context?.logStreamName).toMatch(/^local\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("names the region us-east-1 when AWS_REGION is not set", async () => {
    vi.stubEnv("AWS_REGION", undefined);
    let arn = "";
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async (_: unknown, context: Context) => {
          arn = context.invokedFunctionArn;
        },
      }),
      () => {},
      "p-",
    );

    await lambdas.invoke("hello", {});

    expect(arn).toBe("arn:aws:lambda:us-east-1:000000000000:function:p-hello");
  });

  it("counts the remaining time down from the function's timeout, and reports an invocation that outlasts it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const reported: string[] = [];
    const remaining: number[] = [];
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async (_: unknown, context: Context) => {
          remaining.push(context.getRemainingTimeInMillis());
          vi.setSystemTime(Date.now() + 4_000);
          remaining.push(context.getRemainingTimeInMillis());
          vi.setSystemTime(Date.now() + 7_000);
          remaining.push(context.getRemainingTimeInMillis());
          return "late";
        },
      }),
      (line) => reported.push(line),
    );

    await expect(lambdas.invoke("hello", {})).resolves.toBe("late");

    expect(remaining).toEqual([10_000, 6_000, 0]);
    expect(reported).toEqual(["hello ran 11000 ms: on AWS its 10 s timeout would have stopped it."]);
  });

  it("reports nothing for an invocation that ends exactly at its timeout", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const reported: string[] = [];
    const lambdas = new LocalLambdas(
      async () => ({
        handler: async () => {
          vi.setSystemTime(Date.now() + 10_000);
        },
      }),
      (line) => reported.push(line),
    );

    await lambdas.invoke("hello", {});

    expect(reported).toEqual([]);
  });

  it("refuses an event over 6 MB without invoking the function", async () => {
    const handler = vi.fn(async () => null);
    const lambdas = new LocalLambdas(
      async () => ({ handler }),
      () => {},
    );

    const refused = lambdas.invoke("api", { padding: "x".repeat(6 * 1024 * 1024) });

    await expect(refused).rejects.toThrow(/^The api event is 6291470 bytes: over Lambda's 6 MB\.$/);
    await expect(refused).rejects.toMatchObject({ name: "EventTooLargeError" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("invokes with no event at all (undefined) as with an empty one", async () => {
    const lambdas = new LocalLambdas(
      async () => ({ handler: async (event: unknown) => event ?? "none" }),
      () => {},
    );

    await expect(lambdas.invoke("hello", undefined)).resolves.toBe("none");
  });

  it("fails an invocation whose result is over 6 MB, with the error Lambda reports", async () => {
    const lambdas = new LocalLambdas(
      async () => ({ handler: async () => "x".repeat(6 * 1024 * 1024 + 200) }),
      () => {},
    );

    await expect(lambdas.invoke("api", {})).rejects.toBeInstanceOf(ResultTooLargeError);
  });

  it("loads a function's module once, and again after a failed load, refusing one without a handler", async () => {
    const loads: string[] = [];
    const modules: { handler?: unknown }[] = [
      { handler: "not a function" },
      { handler: async () => "loaded" },
      { handler: async () => "loaded again" },
    ];
    const lambdas = new LocalLambdas(
      async (name) => {
        loads.push(name);
        return modules[loads.length - 1]!;
      },
      () => {},
    );

    await expect(lambdas.invoke("hello", {})).rejects.toThrow("The module of hello exports no handler.");
    await expect(lambdas.invoke("hello", {})).resolves.toBe("loaded");
    await expect(lambdas.invoke("hello", {})).resolves.toBe("loaded");

    expect(loads).toEqual(["hello", "hello"]);
  });
});

describe("LocalLambdas' idle and settle", () => {
  it("says when the invocations of one function under way have ended, whatever the others do", async () => {
    const hello = deferred();
    const api = deferred();
    const lambdas = new LocalLambdas(
      async (name) => ({ handler: () => (name === "hello" ? hello.promise : api.promise) }),
      () => {},
    );
    expect(lambdas.idle("hello")).toBeUndefined();

    const running = lambdas.invoke("hello", {});
    void lambdas.invoke("api", {}).catch(() => {});
    const idle = lambdas.idle("hello");
    let ended = false;
    void idle?.then(() => {
      ended = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
    hello.reject(new Error("failed"));
    await expect(running).rejects.toThrow("failed");

    await expect(idle).resolves.toBeUndefined();
    expect(ended).toBe(true);
    expect(lambdas.idle("hello")).toBeUndefined();
    expect(lambdas.idle("api")).toBeDefined();
    expect(lambdas.idle("csvImport")).toBeUndefined();
    api.resolve();
  });

  it("settles: true once the invocations under way have ended, false when the time is up first", async () => {
    const hello = deferred();
    const lambdas = new LocalLambdas(
      async () => ({ handler: () => hello.promise }),
      () => {},
    );
    await expect(lambdas.settle(1_000)).resolves.toBe(true);

    const running = lambdas.invoke("hello", {});
    await expect(lambdas.settle(1)).resolves.toBe(false);
    const settling = lambdas.settle(60_000);
    hello.resolve("done");

    await expect(settling).resolves.toBe(true);
    await expect(running).resolves.toBe("done");
  });
});
