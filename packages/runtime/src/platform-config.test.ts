import { ConfigError } from "@invoice/config";
import { describe, expect, it } from "vitest";
import { loadPlatformConfig } from "./platform-config.ts";

describe("platform config: clients section", () => {
  it("defaults every client knob, with the service's own pool size", () => {
    expect(loadPlatformConfig("issuer", {}, { databasePoolMax: 10 }).clients).toEqual({
      postgres: { maxConnections: 10, connectionTimeoutMs: 5_000 },
      redis: { connectTimeoutMs: 5_000, commandTimeoutMs: 2_000 },
      kafka: { connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 },
      schemaRegistry: { requestTimeoutMs: 10_000 },
      readinessTimeoutMs: 2_000,
    });
    expect(loadPlatformConfig("ingest", {}).clients.postgres.maxConnections).toBe(5);
  });

  it("reads each knob from its variable", () => {
    const { clients } = loadPlatformConfig("claims", {
      DATABASE_POOL_MAX: "25",
      DATABASE_CONNECT_TIMEOUT_MS: "1500",
      REDIS_CONNECT_TIMEOUT_MS: "700",
      REDIS_COMMAND_TIMEOUT_MS: "300",
      KAFKA_CONNECTION_TIMEOUT_MS: "3000",
      KAFKA_REQUEST_TIMEOUT_MS: "45000",
      SCHEMA_REGISTRY_TIMEOUT_MS: "4000",
      READINESS_TIMEOUT_MS: "900",
    });
    expect(clients).toEqual({
      postgres: { maxConnections: 25, connectionTimeoutMs: 1500 },
      redis: { connectTimeoutMs: 700, commandTimeoutMs: 300 },
      kafka: { connectionTimeoutMs: 3000, requestTimeoutMs: 45000 },
      schemaRegistry: { requestTimeoutMs: 4000 },
      readinessTimeoutMs: 900,
    });
  });

  it("refuses bad values, naming every variable at once", () => {
    const load = () =>
      loadPlatformConfig("issuer", {
        DATABASE_POOL_MAX: "0",
        KAFKA_REQUEST_TIMEOUT_MS: "30s",
        READINESS_TIMEOUT_MS: "-1",
        DATABASE_CONNECT_TIMEOUT_MS: "99999999999",
      });
    expect(load).toThrow(ConfigError);
    const variables = (() => {
      try {
        load();
      } catch (error) {
        return (error as ConfigError).issues.map((issue) => issue.variable).sort();
      }
      return [];
    })();
    expect(variables).toEqual([
      "DATABASE_CONNECT_TIMEOUT_MS",
      "DATABASE_POOL_MAX",
      "KAFKA_REQUEST_TIMEOUT_MS",
      "READINESS_TIMEOUT_MS",
    ]);
  });
});

describe("platform config: topics section", () => {
  it("uses the catalog's names unless told otherwise", () => {
    expect(loadPlatformConfig("claims", {}).topics).toEqual({
      issuancePartitions: 3,
      eventsPartitions: 3,
      names: {},
    });
    const { topics } = loadPlatformConfig("ingest", {
      INVOICE_ISSUANCE_TOPIC: "t2.issuance",
      INVOICE_EVENTS_TOPIC: "t2.events",
      INVOICE_INGEST_DLQ_TOPIC: "t2.ingest.dlq",
    });
    expect(topics.names).toEqual({
      issuance: "t2.issuance",
      events: "t2.events",
      ingestDlq: "t2.ingest.dlq",
    });
  });

  it("refuses a name Kafka would refuse", () => {
    expect(() => loadPlatformConfig("issuer", { INVOICE_EVENTS_TOPIC: "no spaces" })).toThrow(ConfigError);
  });
});
