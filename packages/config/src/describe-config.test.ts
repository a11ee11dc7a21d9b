import { randomBytes } from "node:crypto";
import { createKeyring } from "@invoice/crypto";
import { describe, expect, it } from "vitest";
import { describeConfig } from "./describe-config.ts";

describe("describeConfig", () => {
  it("redacts secret-named fields, binary values, URL passwords and password parameters, keeping the rest", () => {
    const key = randomBytes(32);
    const keyring = createKeyring(key);
    const config = {
      runtime: { appEnv: "production", production: true, shutdownGraceMs: 25_000 },
      infrastructure: {
        kafkaBrokers: ["kafka-0:9092"],
        databaseUrl: "postgresql://app:db-pass-123@db:5432/invoice",
        redisUrl: "redis://cache:6379",
        replicaUrl: "postgresql://replica.internal/invoice?sslmode=require&password=replica-pass-456",
        dsn: "host=db user=app password=dsn-pass-789",
      },
      credentials: { keyring },
      webhook: { secret: "whsec_abcdef", internalSecret: "whsec_internal", toleranceSeconds: 300 },
      provider: { apiKey: "pk_live_1", password: "p", accessToken: "t", signature: "s" },
      WEBHOOK_SECRET: "raw-env-secret",
      APP_ENV_INVOICE_CREDENTIALS_KEY: key.toString("hex"),
      APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS: randomBytes(32).toString("hex"),
    };
    const described = describeConfig(config);
    const text = JSON.stringify(described);
    for (const secret of [
      "db-pass-123",
      "replica-pass-456",
      "dsn-pass-789",
      "whsec_abcdef",
      "whsec_internal",
      "pk_live_1",
      "raw-env-secret",
      key.toString("hex"),
      config.APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(described).toMatchObject({
      runtime: config.runtime,
      infrastructure: {
        kafkaBrokers: ["kafka-0:9092"],
        databaseUrl: "postgresql://app:[REDACTED]@db:5432/invoice",
        redisUrl: "redis://cache:6379",
        replicaUrl: "postgresql://replica.internal/invoice?sslmode=require&password=[REDACTED]",
        dsn: "host=db user=app password=[REDACTED]",
      },
      credentials: {
        keyring: { activeKeyId: keyring.activeKeyId, keys: { [keyring.activeKeyId]: "[REDACTED]" } },
      },
      webhook: { secret: "[REDACTED]", internalSecret: "[REDACTED]", toleranceSeconds: 300 },
      provider: {
        apiKey: "[REDACTED]",
        password: "[REDACTED]",
        accessToken: "[REDACTED]",
        signature: "[REDACTED]",
      },
      WEBHOOK_SECRET: "[REDACTED]",
    });
  });

  it("leaves the original untouched and produces JSON-safe output", () => {
    const original = { id: 1n, when: new Date(0), tags: new Set(["a"]), fn: () => 1, nested: { token: "t" } };
    const described = describeConfig(original);
    expect(described).toEqual({
      id: "1",
      when: "1970-01-01T00:00:00.000Z",
      tags: ["a"],
      nested: { token: "[REDACTED]" },
    });
    expect(original.nested.token).toBe("t");
    expect(() => JSON.stringify(described)).not.toThrow();
  });

  it("survives cycles and leaves URLs without passwords as they are", () => {
    const cyclic: Record<string, unknown> = { url: "http://user@host/x" };
    cyclic.self = cyclic;
    expect(describeConfig(cyclic)).toEqual({ url: "http://user@host/x", self: "[Circular]" });
  });
});
