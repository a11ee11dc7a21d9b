import { describe, expect, it } from "vitest";
import { readCliEnv, UsageError } from "./cli-env.ts";

describe("the CLI's environment", () => {
  it("waits 15 s for a database connection unless DATABASE_CONNECT_TIMEOUT_MS says otherwise", () => {
    expect(readCliEnv({}).databaseConnectTimeoutMs).toBe(15_000);
    expect(readCliEnv({ DATABASE_CONNECT_TIMEOUT_MS: "40000" }).databaseConnectTimeoutMs).toBe(40_000);
  });

  it("refuses a connect timeout that is not a positive number of milliseconds, naming the variable", () => {
    for (const bad of ["0", "-5", "2s", "1.5"]) {
      expect(() => readCliEnv({ DATABASE_CONNECT_TIMEOUT_MS: bad })).toThrow(UsageError);
      expect(() => readCliEnv({ DATABASE_CONNECT_TIMEOUT_MS: bad })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS/);
    }
  });
});
