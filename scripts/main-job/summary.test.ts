import { describe, expect, it } from "vitest";
import { BUYER_CASES, planWorkload } from "./plan.ts";
import { emptyObservation, type OrderObservation, percentile, summarize, summaryJson } from "./summary.ts";

const plan = planWorkload({ runId: "t1", orders: 40, merchants: 3, claimWindowSeconds: 20 });
const provider = { issued: 0, duplicateKeys: 0, faults: 0, outageRejected: 0 };

/** Every order as its case expects, the payment 100 + n ms before its invoice. */
function happy(): Map<string, OrderObservation> {
  const seen = new Map<string, OrderObservation>();
  plan.orders.forEach((order, n) => {
    const o = emptyObservation();
    o.paymentAt = 1_000;
    const issue = (role: string, buyerKind: string) =>
      o.issued.push({ transactionUuid: `${order.orderId}-${role}`, role, buyerKind, at: 1_100 + n });
    switch (order.buyerCase) {
      case "checkout":
        issue("ORIGINAL", "COMPANY");
        break;
      case "claimed":
        o.claimOpened = o.claimSubmitted = true;
        issue("ORIGINAL", "COMPANY");
        break;
      case "expired":
        o.claimOpened = o.claimExpired = true;
        issue("ORIGINAL", "ANONYMOUS_RETAIL");
        break;
      case "anonymous":
        issue("ORIGINAL", "ANONYMOUS_RETAIL");
        break;
      case "refunded_before":
        o.claimOpened = o.cancelled = true;
        break;
      case "refunded_after":
        issue("ORIGINAL", "INDIVIDUAL");
        issue("ADJUSTMENT", "INDIVIDUAL");
        break;
    }
    seen.set(order.orderId, o);
  });
  return seen;
}

const inputs = (observations: Map<string, OrderObservation>, extra: Partial<typeof provider> = {}) => ({
  plan,
  observations,
  retries: 3,
  dlq: 0,
  provider: {
    ...provider,
    issued: [...observations.values()].reduce((n, o) => n + o.issued.length, 0),
    ...extra,
  },
  databaseIssued: null,
  databaseClaims: {},
  elapsedMs: 1,
});

describe("main job plan", () => {
  it("covers every buyer case, gives the last merchant no claim window, and unique order ids", () => {
    expect(new Set(plan.orders.map((o) => o.buyerCase))).toEqual(new Set(BUYER_CASES));
    expect(plan.merchants.map((m) => m.claimWindowSeconds)).toEqual([20, 20, 0]);
    expect(new Set(plan.orders.map((o) => o.orderId)).size).toBe(40);
    for (const o of plan.orders) {
      const merchant = plan.merchants.find((m) => m.merchantId === o.merchantId);
      expect(merchant?.claimWindowSeconds === 0).toBe(o.buyerCase === "anonymous");
    }
    expect(new Set(plan.merchants.map((m) => m.invoiceSeries)).size).toBe(3);
  });
});

describe("main job summary", () => {
  it("holds every check when each order ends as its case says", () => {
    const s = summarize(inputs(happy()));
    expect(s.checks.filter((c) => !c.ok)).toEqual([]);
    expect(s.lost).toBe(0);
    expect(s.issued).toBe(plan.orders.filter((o) => o.buyerCase !== "refunded_before").length);
    const json = JSON.parse(summaryJson(s));
    expect(Object.keys(json)).toEqual([
      "orders",
      "issued",
      "claimed",
      "expired",
      "dlq",
      "duplicates_at_provider",
      "lost",
      "p50_ms",
      "p99_ms",
    ]);
    expect(json.p50_ms).toBeGreaterThanOrEqual(100);
  });

  it("fails on a lost order, a duplicate at the provider, an anonymous claim and a DLQ record", () => {
    const seen = happy();
    const claimed = plan.orders.find((o) => o.buyerCase === "claimed")?.orderId as string;
    const checkout = plan.orders.find((o) => o.buyerCase === "checkout")?.orderId as string;
    (seen.get(claimed) as OrderObservation).issued[0] = {
      transactionUuid: "x",
      role: "ORIGINAL",
      buyerKind: "ANONYMOUS_RETAIL",
      at: 2_000,
    };
    seen.set(checkout, emptyObservation());
    const s = summarize({ ...inputs(seen, { duplicateKeys: 1 }), dlq: 2 });
    expect(s.lost).toBe(1);
    expect(s.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "every order reached its outcome (lost = 0)",
      "no duplicate at the provider",
      "nothing dead-lettered",
      "buyer as the case says (anonymous only after expiry or without window)",
    ]);
  });

  it("nearest-rank percentiles", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([], 50)).toBeNull();
  });
});
