// The stage parameter corsOrigins, checked when the Serverless Framework reads serverless.yml (package and
// deploy resolve `custom.corsOrigins` through this file). Unchecked, a misspelt origin is found by CloudFormation
// half-way through a deploy, which it then rolls back; or, spelt as no browser sends it (`https://app.example.com/`),
// it is accepted and never matches, and the page is refused with no word of why. The rules are core's
// `corsOriginsFrom`, which the plain server reads CORS_ORIGINS with, so that one list means the same on both:
// a copy, as this file cannot load core (built by `tsc -b`, which packaging does not need), which
// test/aws/cors-origins-param.test.ts holds to core's, list by list and origin by origin.
// CommonJS: the framework `require`s a variable's .js/.cjs file, and this package is ESM.
"use strict";

/**
 * The origins of `value` (comma-separated, blanks around each ignored) joined by commas, as the template splits
 * them, or "" for none (CORS off). Throws for `*` among origins, or an entry that is not an origin as browsers
 * send it (scheme://host[:port], lower case, no default port, no path or trailing slash).
 * @param {unknown} value
 * @returns {string}
 */
function corsOriginsOf(value) {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new Error(
      `corsOrigins must be one string of origins separated by commas, not ${JSON.stringify(value)}.`,
    );
  }
  const origins = value
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  if (origins.includes("*") && origins.length > 1) {
    throw new Error(`corsOrigins must be * alone (any origin) or a list of origins, not "${value}".`);
  }
  for (const origin of origins) {
    if (origin === "*" || isSerializedOrigin(origin)) continue;
    const meant = URL.canParse(origin) ? new URL(origin).origin : "null";
    const hint = origin.includes("*")
      ? " (a pattern: list each origin, or give * alone for any)"
      : meant.startsWith("http")
        ? ` (did you mean ${meant}?)`
        : "";
    throw new Error(
      "corsOrigins must list origins as browsers send them, scheme://host[:port] with no path or trailing " +
        `slash, or be *: "${origin}" is not one${hint}.`,
    );
  }
  return origins.join(",");
}

/**
 * Core's rule (packages/core/src/http/cors.ts), which this file cannot import: core is ESM, and built only by
 * `tsc -b`, which packaging does not need. A `*` in a host is a pattern: API Gateway reads `https://*` as every
 * https page, core as no page, so neither takes one.
 */
function isSerializedOrigin(value) {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.origin === value &&
    !url.hostname.includes("*")
  );
}

/** What `${file(./scripts/cors-origins.cjs)}` resolves to: the stage parameter, checked. */
async function resolveCorsOrigins({ resolveVariable }) {
  try {
    return corsOriginsOf(await resolveVariable("param:corsOrigins, ''"));
  } catch (error) {
    // Variables the framework has yet to resolve: it calls again once they are.
    if (error?.code === "MISSING_VARIABLE_DEPENDENCY") throw error;
    // The framework prints a thrown error's stack: the message alone is the whole story here.
    error.stack = error.message;
    throw error;
  }
}

module.exports = resolveCorsOrigins;
module.exports.corsOriginsOf = corsOriginsOf;
module.exports.isSerializedOrigin = isSerializedOrigin;
