import { describe, expect, it } from "vitest";
import { commandOf, parseCommandLine, USAGE, UsageError } from "./command-line.js";

/** The command a command line is, as the CLI reads it. */
const commandFrom = (argv: string[]) => {
  const { values, positionals } = parseCommandLine(argv);
  return commandOf(positionals, values);
};

/** The `UsageError` a command line is refused with. */
const refusalOf = (argv: string[]): UsageError => {
  try {
    commandFrom(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${argv.join(" ")} was not refused`);
};

describe("parseCommandLine", () => {
  it("reads the options and the positionals, with --json and --help off unless given", () => {
    expect(parseCommandLine(["import", "todos.csv", "--quote", "single"])).toEqual({
      values: { quote: "single", json: false, help: false },
      positionals: ["import", "todos.csv"],
    });
    expect(parseCommandLine(["list", "--limit", "5", "--json", "-h"])).toEqual({
      values: { limit: "5", json: true, help: true },
      positionals: ["list"],
    });
  });

  it("throws node's ERR_PARSE_ARGS error for an unknown option, and for a value given to a flag", () => {
    expect(() => parseCommandLine(["list", "--all"])).toThrow(
      expect.objectContaining({ code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }),
    );
    expect(() => parseCommandLine(["list", "--json=yes"])).toThrow(
      expect.objectContaining({ code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" }),
    );
  });
});

describe("commandOf", () => {
  it.each([
    [[], "auto"],
    [["--quote", "auto"], "auto"],
    [["--quote", "double"], '"'],
    [["--quote", "single"], "'"],
  ])("reads todo import %j as the quote %j", (options, quote) => {
    expect(commandFrom(["import", "todos.csv", ...options])).toEqual({
      name: "import",
      location: "todos.csv",
      quote,
      json: false,
    });
  });

  it("reads --json for either command", () => {
    expect(commandFrom(["import", "-", "--json"])).toEqual({
      name: "import",
      location: "-",
      quote: "auto",
      json: true,
    });
    expect(commandFrom(["list", "--json"])).toEqual({ name: "list", json: true });
  });

  it.each(["1", "42", "9999999999999999"])("reads todo list --limit %s as a number", (limit) => {
    expect(commandFrom(["list", "--limit", limit])).toEqual({
      name: "list",
      limit: Number(limit),
      json: false,
    });
  });

  it.each(["0", "01", "-1", "1.5", "1e3", "0x10", " 5", "5 ", "5x", "", "10000000000000000"])(
    "refuses todo list --limit %j",
    (limit) => {
      const refusal = refusalOf(["list", `--limit=${limit}`]);

      expect(refusal.message).toBe("--limit must be a whole number from 1.");
      expect(refusal.showUsage).toBe(false);
    },
  );

  it.each([
    [["import"], "todo import takes one file, - or s3:// URL.", true],
    [["import", "a.csv", "b.csv"], "todo import takes one file, - or s3:// URL.", true],
    [["import", "a.csv", "--limit", "5"], "--limit is for todo list.", false],
    [["import", "a.csv", "--quote", "backtick"], "--quote must be auto, double or single.", false],
    // Own keys only: what every object inherits is no quote.
    [["import", "a.csv", "--quote", "constructor"], "--quote must be auto, double or single.", false],
    [["import", "a.csv", "--quote", "toString"], "--quote must be auto, double or single.", false],
    [["list", "all", "done"], "todo list takes no argument: all done", false],
    [["list", "--quote", "single"], "--quote is for todo import.", false],
    [["frobnicate"], "not a command: frobnicate", true],
    [[], "no command.", true],
  ])("refuses %j: %s (usage shown: %s)", (argv, message, showUsage) => {
    const refusal = refusalOf(argv);

    expect(refusal.message).toBe(message);
    expect(refusal.showUsage).toBe(showUsage);
  });
});

describe("UsageError", () => {
  it("does not ask for the usage unless told", () => {
    expect(new UsageError("no.").showUsage).toBe(false);
    expect(new UsageError("no.", {}).showUsage).toBe(false);
    expect(new UsageError("no.", { showUsage: true }).showUsage).toBe(true);
  });
});

describe("USAGE", () => {
  it("shows both commands with their options", () => {
    expect(USAGE).toMatch(
      /^Usage:\n {2}todo import <file\.csv \| - \| s3:\/\/bucket\/key> \[--quote auto\|double\|single\] \[--json\]\n/,
    );
    expect(USAGE).toContain("\n  todo list [--limit N] [--json]\n");
  });
});
