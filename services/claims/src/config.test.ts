import { ConfigError } from "@invoice/config";
import { describe, expect, it } from "vitest";
import { loadClaimsConfig } from "./config.ts";

const refusal = (env: Record<string, string>): string => {
  try {
    loadClaimsConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("claims configuration", () => {
  it("has working local defaults", () => {
    expect(loadClaimsConfig({}).claims).toMatchObject({
      linkBaseUrl: "http://127.0.0.1:31141/v1/api/claims/",
      trustedProxyHops: 0,
      redisKeyPrefix: "invoice:claims:",
      rateLimits: {
        windowSeconds: 60,
        perAddress: 120,
        perToken: 60,
        submissionsPerToken: 10,
        notFoundPerAddress: 20,
      },
      expiry: { pollIntervalMs: 250, scanIntervalMs: 5_000, horizonMs: 60_000, batchSize: 200 },
      outbox: { relayIntervalMs: 2_000, leaseMs: 30_000, publishTimeoutMs: 5_000 },
    });
  });

  it("refuses cross-field mistakes, naming the variable", () => {
    expect(refusal({ CLAIMS_EXPIRY_SCAN_INTERVAL_MS: "40000" })).toContain("CLAIMS_EXPIRY_HORIZON_MS");
    expect(refusal({ CLAIMS_PUBLISH_TIMEOUT_MS: "30000" })).toContain("CLAIMS_PUBLISH_LEASE_MS");
    expect(refusal({ CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c" })).toContain('end with "/"');
    expect(refusal({ CLAIMS_LINK_BASE_URL: "ftp://hoadon.example.vn/c/" })).toContain("CLAIMS_LINK_BASE_URL");
    expect(refusal({ CLAIMS_REDIS_KEY_PREFIX: "no colon" })).toContain("CLAIMS_REDIS_KEY_PREFIX");
  });

  it("requires the buyer-facing https link in staging and production", () => {
    const identity = {
      APP_ENV_INVOICE_SERVICE_CODE: "SVC-00150-INVOICE",
      APP_ENV_INVOICE_WORKER_ID: "7",
      PORT: "31141",
      KAFKA_BROKERS: "kafka-1.internal:9092",
      SCHEMA_REGISTRY_URL: "https://registry.internal/apis/ccompat/v7",
      DATABASE_URL: "postgresql://claims@db.internal:5432/invoice",
      REDIS_URL: "redis://redis.internal:6379",
    };
    expect(refusal({ APP_ENV: "production", ...identity })).toContain("CLAIMS_LINK_BASE_URL");
    expect(refusal({ APP_ENV: "staging", ...identity, CLAIMS_LINK_BASE_URL: "http://x.vn/c/" })).toContain(
      "CLAIMS_LINK_BASE_URL",
    );
    const config = loadClaimsConfig({
      APP_ENV: "production",
      ...identity,
      APP_ENV_INVOICE_CREDENTIALS_KEY: "00".repeat(32),
      CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c/",
    });
    expect(config.claims.linkBaseUrl).toBe("https://hoadon.example.vn/c/");
  });
});
