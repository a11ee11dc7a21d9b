import { ConfigError } from "@invoice/config";
import { describe, expect, it } from "vitest";
import { loadIssuerConfig } from "./config.ts";

// Any key that is not a placeholder (a repeated byte is refused).
const KEY = {
  APP_ENV_INVOICE_CREDENTIALS_KEY: "3f9a1c7e5b2d4f608a1e3c5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f",
};
const DEPLOYED = {
  ...KEY,
  APP_ENV: "production",
  APP_ENV_INVOICE_SERVICE_CODE: "SVC-00150-INVOICE",
  APP_ENV_INVOICE_WORKER_ID: "3",
  PORT: "31142",
  KAFKA_BROKERS: "kafka-1.internal:9092",
  SCHEMA_REGISTRY_URL: "https://registry.internal/apis/ccompat/v7",
  DATABASE_URL: "postgresql://issuer@db.internal:5432/invoice",
  REDIS_URL: "redis://redis.internal:6379",
};

const refusal = (env: Record<string, string>): string => {
  try {
    loadIssuerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("issuer configuration: the claim link in ClaimOpened", () => {
  it("defaults to the local claims page, and takes the shared CLAIMS_LINK_BASE_URL", () => {
    expect(loadIssuerConfig(KEY).claimLink.baseUrl).toBe("http://127.0.0.1:31141/v1/api/claims/");
    const set = loadIssuerConfig({ ...KEY, CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c/" });
    expect(set.claimLink.baseUrl).toBe("https://hoadon.example.vn/c/");
    expect(refusal({ ...KEY, CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c" })).toContain(
      'CLAIMS_LINK_BASE_URL: must end with "/"',
    );
  });

  it("refuses to start in production without the buyer-facing https link (no dead links on receipts)", () => {
    expect(refusal(DEPLOYED)).toContain("CLAIMS_LINK_BASE_URL");
    const config = loadIssuerConfig({ ...DEPLOYED, CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c/" });
    expect(config.claimLink.baseUrl).toBe("https://hoadon.example.vn/c/");
  });
});

describe("issuer configuration: topics", () => {
  it("uses the catalog's names by default", () => {
    expect(loadIssuerConfig(KEY).issuer.topics).toEqual({
      issuance: "invoice.issuance",
      retry: "invoice.issuance.retry",
      dlq: "invoice.issuance.dlq",
      events: "invoice.events",
    });
  });

  it("follows the shared INVOICE_*_TOPIC names every service of the environment is given", () => {
    // ingest publishes to, claims publishes to and the CLI replays onto env2.issuance: the issuer
    // must consume it (not another environment's invoice.issuance on the same cluster).
    const config = loadIssuerConfig({
      ...KEY,
      INVOICE_ISSUANCE_TOPIC: "env2.issuance",
      INVOICE_EVENTS_TOPIC: "env2.events",
    });
    expect(config.issuer.topics).toEqual({
      issuance: "env2.issuance",
      retry: "env2.issuance.retry",
      dlq: "env2.issuance.dlq",
      events: "env2.events",
    });
    expect(
      loadIssuerConfig({
        ...KEY,
        INVOICE_ISSUANCE_TOPIC: "env2.issuance",
        INVOICE_ISSUANCE_RETRY_TOPIC: "env2.retry",
        INVOICE_ISSUANCE_DLQ_TOPIC: "env2.dlq",
      }).issuer.topics,
    ).toMatchObject({ retry: "env2.retry", dlq: "env2.dlq" });
  });

  it("lets ISSUER_*_TOPIC override one name", () => {
    const config = loadIssuerConfig({
      ...KEY,
      INVOICE_ISSUANCE_TOPIC: "env2.issuance",
      ISSUER_RETRY_TOPIC: "mine.retry",
    });
    expect(config.issuer.topics).toMatchObject({ issuance: "env2.issuance", retry: "mine.retry" });
  });
});
