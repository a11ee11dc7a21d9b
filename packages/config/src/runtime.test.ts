import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { loadConfig } from "./load-config.ts";
import { isProduction, runtimeSection } from "./runtime.ts";

describe("runtimeSection", () => {
  it("defaults to development, info logs, 25 s grace and a 1 MiB body limit", () => {
    expect(loadConfig(runtimeSection, {})).toEqual({
      appEnv: "development",
      production: false,
      logLevel: "info",
      shutdownGraceMs: 25_000,
      httpBodyLimitBytes: 1_048_576,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig(runtimeSection, {
      APP_ENV: "staging",
      NODE_ENV: "production",
      LOG_LEVEL: "debug",
      SHUTDOWN_GRACE_MS: "10000",
      HTTP_BODY_LIMIT_BYTES: "65536",
    });
    expect(config).toEqual({
      appEnv: "staging",
      production: true,
      logLevel: "debug",
      shutdownGraceMs: 10_000,
      httpBodyLimitBytes: 65_536,
    });
  });

  it.each([
    [{}, "development", false],
    [{ NODE_ENV: "test" }, "test", false],
    [{ NODE_ENV: "production" }, "production", true],
    [{ APP_ENV: "production" }, "production", true],
    [{ APP_ENV: "production", NODE_ENV: "development" }, "production", true],
    [{ APP_ENV: "development", NODE_ENV: "production" }, "development", true],
    [{ APP_ENV: "staging" }, "staging", false],
  ])("%j → appEnv %s, production %s", (env, appEnv, production) => {
    const config = loadConfig(runtimeSection, env);
    expect(config.appEnv).toBe(appEnv);
    expect(config.production).toBe(production);
    expect(isProduction(env)).toBe(production);
  });

  it("refuses typos that would silently disable production checks, and every bad value at once", () => {
    try {
      loadConfig(runtimeSection, {
        NODE_ENV: "prodution",
        APP_ENV: "prod",
        LOG_LEVEL: "verbose",
        SHUTDOWN_GRACE_MS: "0",
        HTTP_BODY_LIMIT_BYTES: "1GB",
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual([
        "NODE_ENV",
        "APP_ENV",
        "LOG_LEVEL",
        "SHUTDOWN_GRACE_MS",
        "HTTP_BODY_LIMIT_BYTES",
      ]);
      expect((error as ConfigError).issues[0]?.reason).toBe("must be one of development, test, production");
      return;
    }
    throw new Error("expected a ConfigError");
  });
});
