import { describe, expect, it } from "vitest";
import { topicCatalog, topicSpecs, valueSubject } from "./topic-catalog.ts";

describe("topicCatalog", () => {
  it("has the partition counts of DESIGN.md section 3 by default", () => {
    const c = topicCatalog();
    expect(c.issuance).toMatchObject({ topic: "invoice.issuance", partitions: 3, value: "issuance-event" });
    expect(c.issuanceRetry).toMatchObject({ topic: "invoice.issuance.retry", partitions: 3, value: "raw" });
    expect(c.issuanceDlq).toMatchObject({ topic: "invoice.issuance.dlq", partitions: 3, value: "raw" });
    expect(c.events).toMatchObject({ topic: "invoice.events", partitions: 3, value: "invoice-event" });
    expect(c.ingestDlq).toMatchObject({
      topic: "invoice.ingest.dlq",
      partitions: 3,
      value: "raw",
      owner: "invoice",
    });
  });

  it("keeps retry and DLQ partition counts equal to invoice.issuance when configured", () => {
    const c = topicCatalog({ issuancePartitions: 12 });
    expect([c.issuance.partitions, c.issuanceRetry.partitions, c.issuanceDlq.partitions]).toEqual([
      12, 12, 12,
    ]);
  });

  it("takes other names for the platform's topics; retry and DLQ follow the issuance topic's", () => {
    const c = topicCatalog({ names: { issuance: "t1.issuance", events: "t1.events", ingestDlq: "t1.dlq" } });
    expect([c.issuance, c.issuanceRetry, c.issuanceDlq, c.events, c.ingestDlq].map((t) => t.topic)).toEqual([
      "t1.issuance",
      "t1.issuance.retry",
      "t1.issuance.dlq",
      "t1.events",
      "t1.dlq",
    ]);
    expect(topicCatalog({ names: { issuanceDlq: "elsewhere" } }).issuanceDlq.topic).toBe("elsewhere");
  });

  it("creates commerce topics only when asked (they belong to commerce)", () => {
    const c = topicCatalog({ commercePaymentSucceeded: "shop.payments" });
    expect(topicSpecs(c).map((s) => s.topic)).not.toContain("shop.payments");
    expect(topicSpecs(c, { includeCommerce: true }).map((s) => s.topic)).toContain("shop.payments");
  });

  it("names subjects with the TopicNameStrategy", () => {
    expect(valueSubject("invoice.issuance")).toBe("invoice.issuance-value");
  });
});
