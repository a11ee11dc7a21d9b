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
    [{ APP_ENV: "production", NODE_ENV: "production" }, "production", true],
    [{ APP_ENV: "staging", NODE_ENV: "production" }, "staging", true],
    [{ APP_ENV: "staging" }, "staging", false],
    [{ APP_ENV: "development", NODE_ENV: "test" }, "development", false],
    [{ APP_ENV: "test", NODE_ENV: "development" }, "test", false],
  ])("%j → appEnv %s, production %s", (env, appEnv, production) => {
    const config = loadConfig(runtimeSection, env);
    expect(config.appEnv).toBe(appEnv);
    expect(config.production).toBe(production);
    expect(isProduction(env)).toBe(production);
  });

  it.each([
    { NODE_ENV: "production", APP_ENV: "development" },
    { NODE_ENV: "production", APP_ENV: "test" },
    { NODE_ENV: "development", APP_ENV: "production" },
    { NODE_ENV: "test", APP_ENV: "staging" },
  ])("refuses the contradiction %j instead of picking one", (env) => {
    try {
      loadConfig(runtimeSection, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues;
      expect(issues).toHaveLength(1);
      expect(issues[0]?.variable).toBe("APP_ENV");
      expect(issues[0]?.reason).toBe(
        `is ${env.APP_ENV} but NODE_ENV is ${env.NODE_ENV}: a deployment sets NODE_ENV=production (or leaves it unset) with APP_ENV=staging or production, a local run sets both to development or test`,
      );
      return;
    }
    throw new Error("expected a ConfigError");
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
      // Our own reasons are reported as written: hiding the refused "prod" must not eat "production".
      expect((error as ConfigError).issues[0]?.reason).toBe("must be one of development, test, production");
      expect((error as ConfigError).issues[1]?.reason).toBe(
        "must be one of development, test, staging, production",
      );
      expect((error as ConfigError).message).not.toContain("[value hidden]");
      return;
    }
    throw new Error("expected a ConfigError");
  });
});
