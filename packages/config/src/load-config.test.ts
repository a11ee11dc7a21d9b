import { isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "./config-error.ts";
import { port, positiveInt, secret } from "./fields.ts";
import { loadConfig } from "./load-config.ts";

const schema = z.object({
  PORT: port().default(8080),
  BATCH_SIZE: positiveInt(),
  WEBHOOK_SECRET: secret({ minLength: 32 }),
});

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("returns the parsed values with defaults applied, ignoring unrelated variables", () => {
    const config = loadConfig(schema, { BATCH_SIZE: "10", WEBHOOK_SECRET: "s".repeat(32), HOME: "/root" });
    expect(config).toEqual({ PORT: 8080, BATCH_SIZE: 10, WEBHOOK_SECRET: "s".repeat(32) });
  });

  it("lists every bad and missing variable in one error, by name with the reason", () => {
    const error = configError(() =>
      loadConfig(schema, { PORT: "http", WEBHOOK_SECRET: "too-short-secret-value" }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(isRetriable(error)).toBe(false);
    expect(error.issues).toEqual([
      { variable: "PORT", reason: "must be an integer from 0 to 65535" },
      { variable: "BATCH_SIZE", reason: "is required but not set" },
      { variable: "WEBHOOK_SECRET", reason: "must be at least 32 characters" },
    ]);
    expect(error.message).toBe(
      [
        "Invalid configuration (3 problems):",
        "  - PORT: must be an integer from 0 to 65535",
        "  - BATCH_SIZE: is required but not set",
        "  - WEBHOOK_SECRET: must be at least 32 characters",
      ].join("\n"),
    );
  });

  it("never echoes a refused value, even when a custom schema's message contains it", () => {
    const leaky = z.object({
      API_TOKEN: z
        .string()
        .refine((value) => value.startsWith("tok_"), { error: (issue) => `bad token ${issue.input}` }),
    });
    const error = configError(() => loadConfig(leaky, { API_TOKEN: "sk_live_abcdef123456" }));
    expect(error.message).not.toContain("sk_live_abcdef123456");
    expect(error.issues[0]).toEqual({ variable: "API_TOKEN", reason: "bad token [value hidden]" });
  });

  it("hides a value only where it stands on its own, never inside the message's own words", () => {
    const echo = z.object({
      MODE: z
        .string()
        .refine(() => false, { error: (issue) => `mode ${issue.input} unknown; use production` }),
    });
    const error = configError(() => loadConfig(echo, { MODE: "prod" }));
    expect(error.issues[0]).toEqual({
      variable: "MODE",
      reason: "mode [value hidden] unknown; use production",
    });
    const secretish = z.object({
      API_TOKEN: z
        .string()
        .refine(() => false, { error: (issue) => `token=${issue.input}; tokens sk_live_xyz9 ok` }),
    });
    const hidden = configError(() => loadConfig(secretish, { API_TOKEN: "sk_live_xyz" }));
    expect(hidden.issues[0]?.reason).toBe("token=[value hidden]; tokens sk_live_xyz9 ok");
  });

  it("treats empty and blank variables as unset (defaults apply, required ones are reported missing)", () => {
    const error = configError(() => loadConfig(schema, { PORT: "", BATCH_SIZE: "   ", WEBHOOK_SECRET: "" }));
    expect(error.issues).toEqual([
      { variable: "BATCH_SIZE", reason: "is required but not set" },
      { variable: "WEBHOOK_SECRET", reason: "is required but not set" },
    ]);
    expect(loadConfig(schema, { PORT: "", BATCH_SIZE: "1", WEBHOOK_SECRET: "x".repeat(32) }).PORT).toBe(8080);
  });

  it("says 'problem' for a single problem and names cross-field rules without a variable", () => {
    const crossField = z
      .object({ MIN: positiveInt(), MAX: positiveInt() })
      .refine((env) => env.MIN <= env.MAX, { message: "MIN must not exceed MAX" });
    const error = configError(() => loadConfig(crossField, { MIN: "5", MAX: "2" }));
    expect(error.message).toBe(
      "Invalid configuration (1 problem):\n  - (configuration): MIN must not exceed MAX",
    );
  });

  it("does not read process.env on its own", () => {
    const key = "CONFIG_TEST_ONLY_IN_PROCESS_ENV";
    process.env[key] = "5";
    try {
      const error = configError(() => loadConfig(z.object({ [key]: positiveInt() }), {}));
      expect(error.issues).toEqual([{ variable: key, reason: "is required but not set" }]);
    } finally {
      delete process.env[key];
    }
  });
});
