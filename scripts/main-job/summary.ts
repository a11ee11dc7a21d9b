/**
 * The main job's verdict: from what each order's events on invoice.events said (plus the retry and
 * DLQ topics, the database and the provider simulator's report) to the summary table, the checks and
 * the one-line JSON. Pure: main-job.ts gathers the inputs.
 */
import { BUYER_CASES, type BuyerCase, expectsInvoice, type WorkloadPlan } from "./plan.ts";

export interface IssuedSeen {
  transactionUuid: string | null;
  role: string;
  buyerKind: string;
  /** invoice.events record timestamp, epoch ms. */
  at: number;
}

/** What invoice.events (and the driver itself) told about one order. */
export interface OrderObservation {
  /** When ingest acknowledged the payment (HTTP 202 or the commerce topic's acks=all), epoch ms. */
  paymentAt?: number;
  claimToken?: string;
  claimOpened: boolean;
  claimSubmitted: boolean;
  claimExpired: boolean;
  /** ClaimResolved's reason (SUBMITTED, REQUESTED, REFUNDED). */
  claimResolved?: string;
  issued: IssuedSeen[];
  cancelled: boolean;
  failed: number;
  adjustmentRequired: number;
  reviews: number;
}

export const emptyObservation = (): OrderObservation => ({
  claimOpened: false,
  claimSubmitted: false,
  claimExpired: false,
  issued: [],
  cancelled: false,
  failed: 0,
  adjustmentRequired: 0,
  reviews: 0,
});

export interface ProviderFigures {
  /** Invoices the simulator created (every seller of this run). */
  issued: number;
  /** transactionUuids it issued more than once. */
  duplicateKeys: number;
  faults: number;
  outageRejected: number;
}

export interface SummaryInputs {
  plan: WorkloadPlan;
  observations: ReadonlyMap<string, OrderObservation>;
  retries: number;
  dlq: number;
  provider: ProviderFigures;
  /** Invoice rows in ISSUED (or later) state for this run's merchants, when the database was read. */
  databaseIssued: number | null;
  /** Claim rows by status for this run's merchants. */
  databaseClaims: Record<string, number>;
  elapsedMs: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CaseRow {
  buyerCase: BuyerCase;
  orders: number;
  /** Orders with their original invoice issued. */
  issued: number;
  /** What the case expects: invoiced, or (refunded before issuance) cancelled. */
  done: number;
  adjusted: number;
}

export interface Summary {
  rows: CaseRow[];
  orders: number;
  issued: number;
  claimsOpened: number;
  claimed: number;
  expired: number;
  cancelled: number;
  adjustments: number;
  failed: number;
  reviews: number;
  retries: number;
  dlq: number;
  duplicatesAtProvider: number;
  duplicatesInEvents: number;
  lost: number;
  p50Ms: number | null;
  p99Ms: number | null;
  latencySamples: number;
  provider: ProviderFigures;
  databaseIssued: number | null;
  databaseClaims: Record<string, number>;
  elapsedMs: number;
  checks: Check[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

const originals = (o: OrderObservation) => o.issued.filter((i) => i.role === "ORIGINAL");
const distinctKeys = (issued: IssuedSeen[]) => new Set(issued.map((i) => i.transactionUuid ?? `seq:${i.at}`));

const refundedBeforeIssuance = (o: OrderObservation) =>
  originals(o).length === 0 && (o.cancelled || o.claimResolved === "REFUNDED");

/** Whether the order reached what its case expects (the driver stops waiting when all have). */
export function orderDone(buyerCase: BuyerCase, o: OrderObservation | undefined): boolean {
  if (!o) return false;
  // The issuer closes the claim (ClaimResolved REFUNDED) or cancels a pending send (IssuanceCancelled).
  if (buyerCase === "refunded_before") return refundedBeforeIssuance(o);
  if (originals(o).length === 0) return false;
  if (buyerCase === "refunded_after")
    return o.issued.some((i) => i.role === "ADJUSTMENT") || o.adjustmentRequired > 0;
  return true;
}

export function summarize(inputs: SummaryInputs): Summary {
  const { plan, observations } = inputs;
  const rows = new Map<BuyerCase, CaseRow>(
    BUYER_CASES.map((c) => [c, { buyerCase: c, orders: 0, issued: 0, done: 0, adjusted: 0 }]),
  );
  const latencies: number[] = [];
  const wrongBuyer: string[] = [];
  let issued = 0;
  let claimsOpened = 0;
  let claimed = 0;
  let expired = 0;
  let cancelled = 0;
  let adjustments = 0;
  let failed = 0;
  let reviews = 0;
  let duplicatesInEvents = 0;
  let lost = 0;
  let invoicedUnexpectedly = 0;
  const allKeys = new Set<string>();
  for (const order of plan.orders) {
    const row = rows.get(order.buyerCase) as CaseRow;
    row.orders++;
    const o = observations.get(order.orderId) ?? emptyObservation();
    const original = originals(o);
    const keys = distinctKeys(original);
    for (const key of distinctKeys(o.issued)) allKeys.add(`${order.orderId}/${key}`);
    if (keys.size > 1) duplicatesInEvents += keys.size - 1;
    if (original.length > 0) {
      row.issued++;
      issued++;
      if (!expectsInvoice(order.buyerCase)) invoicedUnexpectedly++;
    }
    if (orderDone(order.buyerCase, o)) row.done++;
    else lost++;
    const adjusted = o.issued.filter((i) => i.role === "ADJUSTMENT").length;
    if (adjusted > 0 || o.adjustmentRequired > 0) row.adjusted++;
    adjustments += adjusted;
    if (o.claimOpened) claimsOpened++;
    if (o.claimSubmitted) claimed++;
    if (o.claimExpired) expired++;
    if (o.cancelled || o.claimResolved === "REFUNDED") cancelled++;
    // A sale refunded before issuance ends FAILED (REFUNDED_BEFORE_ISSUANCE) by design.
    if (order.buyerCase !== "refunded_before") failed += o.failed;
    reviews += o.reviews;
    const first = original[0];
    if (first) {
      const anonymous = first.buyerKind === "ANONYMOUS_RETAIL";
      const shouldBeAnonymous = order.buyerCase === "expired" || order.buyerCase === "anonymous";
      if (anonymous !== shouldBeAnonymous) wrongBuyer.push(order.orderId);
      // End to end where the invoice is due at payment (checkout buyer or no claim window); claimed
      // and expired orders wait for their buyer or their deadline by design.
      if (
        o.paymentAt !== undefined &&
        (order.buyerCase === "checkout" ||
          order.buyerCase === "anonymous" ||
          order.buyerCase === "refunded_after")
      ) {
        latencies.push(Math.max(0, first.at - o.paymentAt));
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const expectedOpened = plan.orders.filter(
    (o) => o.buyerCase === "claimed" || o.buyerCase === "expired" || o.buyerCase === "refunded_before",
  ).length;
  const expectedClaimed = rows.get("claimed")?.orders ?? 0;
  const expectedExpired = rows.get("expired")?.orders ?? 0;
  const { provider } = inputs;
  const checks: Check[] = [
    { name: "every order reached its outcome (lost = 0)", ok: lost === 0, detail: `lost ${lost}` },
    {
      name: "no duplicate at the provider",
      ok: provider.duplicateKeys === 0,
      detail: `${provider.duplicateKeys} transactionUuids issued twice`,
    },
    {
      name: "one original invoice per order in invoice.events",
      ok: duplicatesInEvents === 0,
      detail: `${duplicatesInEvents} extra`,
    },
    {
      name: "provider and invoice.events agree",
      ok: provider.issued === allKeys.size,
      detail: `provider ${provider.issued}, events ${allKeys.size}`,
    },
    {
      name: "database and invoice.events agree",
      ok: inputs.databaseIssued === null || inputs.databaseIssued === allKeys.size, // originals + adjustments, as at the provider
      detail:
        inputs.databaseIssued === null
          ? "database not read"
          : `database ${inputs.databaseIssued}, events ${allKeys.size}`,
    },
    { name: "nothing dead-lettered", ok: inputs.dlq === 0, detail: `${inputs.dlq} DLQ records` },
    { name: "no invoice failed", ok: failed === 0, detail: `${failed} InvoiceFailed` },
    {
      name: "buyer as the case says (anonymous only after expiry or without window)",
      ok: wrongBuyer.length === 0,
      detail:
        wrongBuyer.length === 0 ? "all" : `${wrongBuyer.length}, e.g. ${wrongBuyer.slice(0, 3).join(", ")}`,
    },
    {
      name: "refunded before issuance: never invoiced",
      ok: invoicedUnexpectedly === 0,
      detail: `${invoicedUnexpectedly} invoiced`,
    },
    {
      name: "claims opened / claimed / expired as planned",
      ok: claimsOpened === expectedOpened && claimed === expectedClaimed && expired === expectedExpired,
      detail: `${claimsOpened}/${expectedOpened}, ${claimed}/${expectedClaimed}, ${expired}/${expectedExpired}`,
    },
  ];
  return {
    rows: [...rows.values()],
    orders: plan.orders.length,
    issued,
    claimsOpened,
    claimed,
    expired,
    cancelled,
    adjustments,
    failed,
    reviews,
    retries: inputs.retries,
    dlq: inputs.dlq,
    duplicatesAtProvider: provider.duplicateKeys,
    duplicatesInEvents,
    lost,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencySamples: latencies.length,
    provider,
    databaseIssued: inputs.databaseIssued,
    databaseClaims: inputs.databaseClaims,
    elapsedMs: inputs.elapsedMs,
    checks,
  };
}

/** The last line of the main job. */
export function summaryJson(s: Summary): string {
  return JSON.stringify({
    orders: s.orders,
    issued: s.issued,
    claimed: s.claimed,
    expired: s.expired,
    dlq: s.dlq,
    duplicates_at_provider: s.duplicatesAtProvider,
    lost: s.lost,
    p50_ms: s.p50Ms,
    p99_ms: s.p99Ms,
  });
}

const CASE_LABEL: Record<BuyerCase, string> = {
  checkout: "tax info at checkout",
  claimed: "claimed before deadline",
  expired: "claim expired → anonymous",
  anonymous: "no claim window → anonymous",
  refunded_before: "refunded before issuance",
  refunded_after: "refunded after issuance",
};

export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  const pad = (text: string | number, width: number) => String(text).padEnd(width);
  const num = (text: string | number, width: number) => String(text).padStart(width);
  lines.push(
    `${pad("buyer case", 30)}${num("orders", 8)}${num("issued", 8)}${num("done", 8)}${num("adjusted", 10)}`,
  );
  for (const r of s.rows) {
    lines.push(
      `${pad(CASE_LABEL[r.buyerCase], 30)}${num(r.orders, 8)}${num(r.issued, 8)}${num(r.done, 8)}${num(r.adjusted, 10)}`,
    );
  }
  lines.push(
    `${pad("total", 30)}${num(s.orders, 8)}${num(s.issued, 8)}${num(s.orders - s.lost, 8)}${num(s.adjustments, 10)}`,
  );
  lines.push("");
  const kv: Array<[string, string | number]> = [
    ["claims opened / claimed / expired", `${s.claimsOpened} / ${s.claimed} / ${s.expired}`],
    ["refunded before issuance: closed without invoice", s.cancelled],
    ["retries (invoice.issuance.retry)", s.retries],
    ["DLQ records", s.dlq],
    ["InvoiceFailed / ReviewRequired", `${s.failed} / ${s.reviews}`],
    ["duplicates at provider", s.duplicatesAtProvider],
    ["lost", s.lost],
    [
      "e2e latency p50 / p99 (payment → InvoiceIssued)",
      s.p50Ms === null ? "n/a" : `${s.p50Ms} ms / ${s.p99Ms} ms (${s.latencySamples} orders due at payment)`,
    ],
    [
      "provider: invoices / faults / outage refusals",
      `${s.provider.issued} / ${s.provider.faults} / ${s.provider.outageRejected}`,
    ],
    ["database: issued invoices", s.databaseIssued ?? "n/a"],
    [
      "database: claims by status",
      Object.entries(s.databaseClaims)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none",
    ],
    ["wall time", `${(s.elapsedMs / 1000).toFixed(1)} s`],
  ];
  for (const [k, v] of kv) lines.push(`${pad(k, 50)}${v}`);
  lines.push("");
  for (const c of s.checks) lines.push(`${c.ok ? "ok  " : "FAIL"} ${c.name} (${c.detail})`);
  return lines.join("\n");
}
