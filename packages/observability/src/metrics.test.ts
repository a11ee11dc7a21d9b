import { describe, expect, it } from "vitest";
import { createMetrics, invoiceCounter, invoiceGauge, invoiceHistogram } from "./metrics.ts";

describe("createMetrics", () => {
  it("collects Node default metrics labelled with the service", async () => {
    const registry = createMetrics({ service: "issuer" });
    const text = await registry.metrics();
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="issuer"\} \d/);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("can leave default metrics out, and registries are independent", async () => {
    const a = createMetrics({ service: "a", defaultMetrics: false });
    const b = createMetrics({ service: "b", defaultMetrics: false });
    invoiceCounter(a, { name: "records_processed", help: "Records processed." }).inc();
    expect(await a.metrics()).not.toContain("process_cpu");
    expect(await a.metrics()).toContain('invoice_records_processed_total{service="a"} 1');
    expect(await b.metrics()).not.toContain("invoice_records_processed_total");
  });
});

describe("naming helpers", () => {
  it("name counters invoice_<name>_total, histograms _seconds, gauges invoice_<name>", async () => {
    const registry = createMetrics({ service: "issuer", defaultMetrics: false });
    invoiceCounter(registry, {
      name: "issuance_outcomes",
      help: "Issuance outcomes.",
      labelNames: ["outcome"],
    })
      .labels({ outcome: "issued" })
      .inc(2);
    invoiceHistogram(registry, {
      name: "provider_call",
      help: "Provider call latency.",
      buckets: [0.1, 1],
    }).observe(0.5);
    invoiceGauge(registry, { name: "breaker_state", help: "0 closed, 1 half-open, 2 open." }).set(2);
    const text = await registry.metrics();
    expect(text).toContain('invoice_issuance_outcomes_total{outcome="issued",service="issuer"} 2');
    expect(text).toContain('invoice_provider_call_seconds_bucket{le="1",service="issuer"} 1');
    expect(text).toContain('invoice_provider_call_seconds_bucket{le="0.1",service="issuer"} 0');
    expect(text).toContain('invoice_breaker_state{service="issuer"} 2');
  });

  it("returns the existing metric when asked twice with the same shape", () => {
    const registry = createMetrics({ service: "x", defaultMetrics: false });
    const first = invoiceCounter(registry, { name: "dlq_records", help: "h", labelNames: ["topic"] });
    expect(invoiceCounter(registry, { name: "dlq_records", help: "h", labelNames: ["topic"] })).toBe(first);
  });

  it("refuses a clash of type or labels", () => {
    const registry = createMetrics({ service: "x", defaultMetrics: false });
    invoiceCounter(registry, { name: "retries", help: "h", labelNames: ["topic"] });
    expect(() => invoiceCounter(registry, { name: "retries", help: "h", labelNames: ["reason"] })).toThrow(
      /different/,
    );
    invoiceGauge(registry, { name: "in_flight", help: "h" });
    expect(() => invoiceGauge(registry, { name: "in_flight", help: "h", labelNames: ["topic"] })).toThrow(
      /different/,
    );
  });

  it.each([
    "RecordsProcessed",
    "records-processed",
    "invoice_records",
    "records_total",
    "latency_seconds",
    "_x",
    "x__y",
    "",
  ])("refuses the name stem %j", (name) => {
    const registry = createMetrics({ service: "x", defaultMetrics: false });
    expect(() => invoiceCounter(registry, { name, help: "h" })).toThrow(TypeError);
  });
});
