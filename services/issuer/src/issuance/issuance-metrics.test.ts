import type { Decision } from "@invoice/domain";
import { createMetrics } from "@invoice/observability";
import { describe, expect, it } from "vitest";
import type { Committed, DecisionStore } from "./decision-store.ts";
import { countInvoiceOutcomes, createIssuanceMetrics } from "./issuance-metrics.ts";

const published = (...types: string[]) =>
  ({
    effects: [
      { type: "RecordAudit" },
      ...types.map((type) => ({ type: "PublishInvoiceEvent", event: { type } })),
    ],
  }) as unknown as Decision;

async function outcomes(results: Committed[], eventType = "SendResult"): Promise<Record<string, number>> {
  const registry = createMetrics({ service: "issuer", defaultMetrics: false });
  const metrics = createIssuanceMetrics(registry);
  const queue = [...results];
  const store = (async () => queue.shift() as Committed) as unknown as DecisionStore;
  const counted = countInvoiceOutcomes(store, metrics);
  for (const _ of results) await counted({ type: eventType } as never, []);
  const metric = await registry.getSingleMetric("invoice_issuer_outcomes_total")?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.outcome), v.value]));
}

describe("countInvoiceOutcomes", () => {
  it("counts InvoiceIssued and InvoiceFailed of committed decisions, nothing of duplicates or rejections", async () => {
    const applied = (decision: Decision) => ({ kind: "applied", decision }) as unknown as Committed;
    expect(
      await outcomes([
        applied(published("InvoiceIssued")),
        applied(published("ClaimOpened")),
        applied(published("InvoiceFailed", "InvoiceIssued")),
        { kind: "duplicate" },
        { kind: "rejected", decision: published("InvoiceFailed"), code: "X", message: "x" },
      ]),
    ).toEqual({ "invoice-issued": 2, "invoice-failed": 1 });
  });

  it("does not count the InvoiceIssued a replay of an issued order re-publishes", async () => {
    const applied = { kind: "applied", decision: published("InvoiceIssued") } as unknown as Committed;
    expect(await outcomes([applied], "ReplayRequested")).toEqual({
      "invoice-issued": 0,
      "invoice-failed": 0,
    });
  });

  it("exports both at 0 before any invoice (a ratio over them is 0, not missing)", async () => {
    expect(await outcomes([])).toEqual({ "invoice-issued": 0, "invoice-failed": 0 });
  });
});
