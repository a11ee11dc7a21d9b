import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { infrastructureSection, LOCAL_STACK } from "./infrastructure.ts";
import { loadConfig } from "./load-config.ts";

describe("infrastructureSection", () => {
  it("defaults to the local stack", () => {
    expect(loadConfig(infrastructureSection, {})).toEqual({
      kafkaBrokers: ["127.0.0.1:9092"],
      schemaRegistryUrl: "http://127.0.0.1:8081/apis/ccompat/v7",
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/invoice",
      redisUrl: "redis://127.0.0.1:6379",
    });
    expect(LOCAL_STACK.KAFKA_BROKERS).toBe("127.0.0.1:9092");
  });

  it.each([
    { APP_ENV: "production" },
    { NODE_ENV: "production" },
    { APP_ENV: "staging" },
    { APP_ENV: "staging", NODE_ENV: "production" },
  ])(
    "in staging and production refuses every unset address instead of defaulting to 127.0.0.1 (%j)",
    (env) => {
      try {
        loadConfig(infrastructureSection, { ...env, DATABASE_URL: "postgresql://app@db.internal/invoice" });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        const issues = (error as ConfigError).issues;
        expect(issues.map((issue) => issue.variable)).toEqual([
          "KAFKA_BROKERS",
          "SCHEMA_REGISTRY_URL",
          "REDIS_URL",
        ]);
        expect(issues[0]?.reason).toBe(
          "must be set explicitly in staging and production (only development and test default to the local stack's 127.0.0.1:9092)",
        );
        return;
      }
      throw new Error("expected a ConfigError");
    },
  );

  it("in production takes every address as given", () => {
    const config = loadConfig(infrastructureSection, {
      APP_ENV: "production",
      KAFKA_BROKERS: "kafka-0:9092",
      SCHEMA_REGISTRY_URL: "https://registry.internal/apis/ccompat/v7",
      DATABASE_URL: "postgresql://app@db.internal/invoice",
      REDIS_URL: "rediss://cache.internal:6380",
    });
    expect(config).toEqual({
      kafkaBrokers: ["kafka-0:9092"],
      schemaRegistryUrl: "https://registry.internal/apis/ccompat/v7",
      databaseUrl: "postgresql://app@db.internal/invoice",
      redisUrl: "rediss://cache.internal:6380",
    });
  });

  it("in test and development defaults to the local stack", () => {
    for (const env of [
      { NODE_ENV: "test" },
      { APP_ENV: "development" },
      { NODE_ENV: "development", APP_ENV: "test" },
    ]) {
      expect(loadConfig(infrastructureSection, env).databaseUrl).toBe(LOCAL_STACK.DATABASE_URL);
    }
  });

  it("reads several brokers and TLS variants", () => {
    const config = loadConfig(infrastructureSection, {
      KAFKA_BROKERS: "kafka-0:9092, kafka-1:9092",
      SCHEMA_REGISTRY_URL: "https://registry.internal/apis/ccompat/v7",
      DATABASE_URL: "postgres://app:pw@db.internal:5432/invoice?sslmode=require",
      REDIS_URL: "rediss://cache.internal:6380",
    });
    expect(config.kafkaBrokers).toEqual(["kafka-0:9092", "kafka-1:9092"]);
    expect(config.redisUrl).toBe("rediss://cache.internal:6380");
  });

  it("names every bad address without echoing it", () => {
    const env = {
      KAFKA_BROKERS: "kafka-0",
      SCHEMA_REGISTRY_URL: "registry:8081",
      DATABASE_URL: "mysql://app:s3cr3t-pw@db/invoice",
      REDIS_URL: "http://cache:6379",
    };
    try {
      loadConfig(infrastructureSection, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual(Object.keys(env));
      expect((error as ConfigError).message).not.toContain("s3cr3t-pw");
      return;
    }
    throw new Error("expected a ConfigError");
  });
});
