/**
 * The real cdc-sync process (main.ts, the way the main job runs it) against a real Debezium topic:
 * TaxInfo converges, the drift check runs on its interval against commerce's table, /metrics counts the
 * events, and SIGTERM exits 0.
 */
import { stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CommerceDatabase,
  createCommerceDatabase,
  ensureCdcStack,
  type RunningConnector,
  startConnector,
} from "../src/testing/index.ts";
import { createInvoiceDatabase, type InvoiceDatabase, kafkaClient, taxInfo } from "./fixtures.ts";

describe("the cdc-sync service process", () => {
  let commerce: CommerceDatabase;
  let db: InvoiceDatabase;
  let connector: RunningConnector;

  beforeAll(async () => {
    await ensureCdcStack();
    [commerce, db] = await Promise.all([
      createCommerceDatabase("commerce_proc"),
      createInvoiceDatabase("cdc_proc"),
    ]);
    await commerce.client.query(
      `INSERT INTO "Merchant" (id, tax_code, legal_name, address, province_code, commune_code, email, phone,
         vat_method, einvoice_enabled, einvoice_template_code, einvoice_series)
       VALUES ('p1', '0100109106', 'Công ty P1', 'Hà Nội', '01', '00070', NULL, NULL, 'KHAU_TRU', true, '1/001', 'C25TAA')`,
    );
    const prefix = uniqueName("cdc_proc");
    connector = await startConnector({ name: prefix, database: commerce, prefix, format: "json" });
  });

  afterAll(async () => {
    await connector?.remove();
    const admin = kafkaClient().admin();
    await admin.connect();
    await admin.deleteTopics([connector.topic, `${connector.topic}.dlq`]).catch(() => undefined);
    await admin.disconnect();
    await Promise.all([commerce?.drop(), db?.drop()]);
  });

  it("applies the topic's events, checks drift against commerce, and stops cleanly", async () => {
    const stack = stackEnv();
    const proc = startServiceProcess("cdc-sync", [], {
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      DATABASE_URL: db.url,
      PORT: "0",
      APP_ENV_INVOICE_WORKER_ID: "21",
      CDC_MERCHANT_TOPIC: connector.topic,
      CDC_DLQ_TOPIC: `${connector.topic}.dlq`,
      CDC_CONSUMER_GROUP: uniqueName("cdc_proc"),
      CDC_COMMERCE_DATABASE_URL: commerce.url,
      CDC_DRIFT_INTERVAL_MS: "1000",
      SHUTDOWN_GRACE_MS: "10000",
    });
    try {
      const port = await proc.port();
      await waitFor(async () => (await taxInfo(db, "p1"))?.legalName === "Công ty P1", { timeoutMs: 60_000 });
      await commerce.client.query(`UPDATE "Merchant" SET legal_name = 'Công ty P1 mới' WHERE id = 'p1'`);
      await waitFor(async () => (await taxInfo(db, "p1"))?.legalName === "Công ty P1 mới", {
        timeoutMs: 60_000,
      });
      await waitFor(
        () => proc.logs.some((l) => l.msg === "[reconcileTaxInfo] done" && l.withSource === true),
        {
          timeoutMs: 30_000,
          description: "a drift check against commerce",
        },
      );
      expect(proc.logs.some((l) => l.msg === "[reconcileTaxInfo] drift")).toBe(false);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/invoice_cdc_events_total\{op="u",outcome="applied",service="cdc-sync"\} 1/);
      expect(metrics).toMatch(
        /invoice_taxinfo_drift_merchants\{kind="SOURCE_MISMATCH",service="cdc-sync"\} 0/,
      );
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await proc.stop("SIGTERM")).toBe(0);
    }
  });
});
