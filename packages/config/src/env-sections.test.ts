import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "./config-error.ts";
import { credentialsSection } from "./credentials.ts";
import { envSections } from "./env-sections.ts";
import { durationMs } from "./fields.ts";
import { infrastructureSection } from "./infrastructure.ts";
import { type Env, loadConfig } from "./load-config.ts";
import { runtimeSection } from "./runtime.ts";
import { consumerGroupId, SERVICE_DEFAULT_PORTS, serviceIdentitySection } from "./service-identity.ts";

/** What a service's config.ts looks like. */
const issuerConfig = envSections({
  runtime: runtimeSection,
  infrastructure: infrastructureSection,
  identity: serviceIdentitySection({ service: "issuer", defaultPort: SERVICE_DEFAULT_PORTS.issuer }),
  credentials: credentialsSection,
  issuer: z
    .object({
      /** How long a provider call may take. */
      ISSUER_PROVIDER_TIMEOUT_MS: durationMs({ min: 100 }).default(10_000),
    })
    .transform((env) => ({ providerTimeoutMs: env.ISSUER_PROVIDER_TIMEOUT_MS })),
});

const KEY = randomBytes(32).toString("hex");

function issues(env: Env) {
  try {
    loadConfig(issuerConfig, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("envSections", () => {
  it("gives each section's output under its name", () => {
    const config = loadConfig(issuerConfig, {
      APP_ENV_INVOICE_CREDENTIALS_KEY: KEY,
      ISSUER_PROVIDER_TIMEOUT_MS: "5000",
    });
    expect(config.runtime.appEnv).toBe("development");
    expect(config.infrastructure.kafkaBrokers).toEqual(["127.0.0.1:9092"]);
    expect(config.identity.port).toBe(31142);
    expect(consumerGroupId(config.identity.serviceCode)).toBe("SVC-00150-INVOICE_CONSUMER");
    expect(config.credentials.keyring.keys.size).toBe(1);
    expect(config.issuer.providerTimeoutMs).toBe(5000);
  });

  it("reports the problems of every section together, a shared variable only once", () => {
    const found = issues({
      NODE_ENV: "prod",
      KAFKA_BROKERS: "kafka",
      APP_ENV_INVOICE_WORKER_ID: "x",
      ISSUER_PROVIDER_TIMEOUT_MS: "5",
    });
    expect(found.map((issue) => issue.variable)).toEqual([
      "NODE_ENV",
      "KAFKA_BROKERS",
      "APP_ENV_INVOICE_WORKER_ID",
      "APP_ENV_INVOICE_CREDENTIALS_KEY",
      "ISSUER_PROVIDER_TIMEOUT_MS",
    ]);
  });

  it("keeps the production rules inside their sections: addresses and identity must be explicit", () => {
    const found = issues({ APP_ENV: "production", APP_ENV_INVOICE_CREDENTIALS_KEY: KEY });
    expect(found.map((issue) => issue.variable)).toEqual([
      "KAFKA_BROKERS",
      "SCHEMA_REGISTRY_URL",
      "DATABASE_URL",
      "REDIS_URL",
      "APP_ENV_INVOICE_SERVICE_CODE",
      "APP_ENV_INVOICE_WORKER_ID",
      "PORT",
    ]);
  });

  it("reports contradictory NODE_ENV and APP_ENV once, although three sections check them", () => {
    const found = issues({
      NODE_ENV: "production",
      APP_ENV: "development",
      APP_ENV_INVOICE_CREDENTIALS_KEY: KEY,
    });
    expect(found.filter((issue) => issue.variable === "APP_ENV")).toHaveLength(1);
  });
});
