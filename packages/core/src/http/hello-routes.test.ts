import { describe, expect, it } from "vitest";
import { NAME_MAX_LENGTH } from "../todos/text-rules.js";
import { createHelloApi } from "./hello-routes.js";

describe("GET /hello/{name}", () => {
  it.each(["%20%20", "%E2%80%8B"])(
    "answers a name with nothing to show (%s) 422, naming the field",
    async (name) => {
      const response = await createHelloApi()(new Request(`http://localhost/hello/${name}`));

      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        code: "VALIDATION_FAILED",
        errors: [{ path: ["name"], message: `must be 1-${NAME_MAX_LENGTH} printable characters` }],
      });
    },
  );

  it("answers a name holding U+FFFD 422, as a todo's name holding one is refused", async () => {
    const response = await createHelloApi()(new Request("http://localhost/hello/Ann%EF%BF%BD"));

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: ["name"] }] });
  });
});
