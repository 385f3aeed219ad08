import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyRuns } from "../../../../test/support/property-runs.js";
import { todoSchemas } from "../todos/todo-schema.js";

const { name: nameSchema } = todoSchemas();

import { createHelloApi } from "./hello-routes.js";

// The hello routes check a name with the text rules by hand, so that a function that greets does not load
// the schema library: this holds them to the todo's `name` schema, which they copy.

const api = createHelloApi();

/** Text of every kind near the rules' edges: controls, invisible and astral characters, padding, length. */
const names = fc.oneof(
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: "grapheme", minLength: 95, maxLength: 105 }),
  fc
    .tuple(
      fc.constantFrom("", " ", "\t", "\u00a0", "\u200b"),
      fc.constantFrom(
        "Ann",
        "😀".repeat(100),
        "😀".repeat(101),
        "\u2800",
        "\u202e",
        "a\u0085b",
        "\ufeff",
        "Ann\ufffd",
      ),
      fc.constantFrom("", " ", "\n", "\u3000"),
    )
    .map((parts) => parts.join("")),
);

/** Whether a name can travel in a path (a lone surrogate cannot be percent-encoded as UTF-8). */
function encodable(name: string): boolean {
  try {
    encodeURIComponent(name);
    return true;
  } catch {
    return false;
  }
}

describe("GET /hello/{name} (property)", () => {
  it("greets exactly the names a todo's name takes (not empty), trimmed, and answers 422 to the others", async () => {
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        // An empty name makes `/hello/`, the other route.
        fc.pre(name !== "" && encodable(name));
        const parsed = nameSchema.safeParse(name);
        const greeted = parsed.success && parsed.data !== null;

        const response = await api(new Request(`http://localhost/hello/${encodeURIComponent(name)}`));

        expect(response.status).toBe(greeted ? 200 : 422);
        if (greeted) expect((await response.json()).message).toBe(`Hello ${parsed.data} !`);
      }),
      propertyRuns(400),
    );
  });
});
