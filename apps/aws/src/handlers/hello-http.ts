import { createLambdaHttpHandler } from "@anycloud/adapters-aws/http";
import { createHelloApi } from "@anycloud/core";

/** Exercise 2: `GET /hello` and `GET /hello/{name}` over HTTP. No store, no container: nothing to compose. */
export const handler = createLambdaHttpHandler(createHelloApi());
