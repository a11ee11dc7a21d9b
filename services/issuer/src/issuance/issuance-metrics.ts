import { invoiceCounter, invoiceHistogram, type Registry } from "@invoice/observability";
import type { DecisionStore } from "./decision-store.ts";

/**
 * `invoice_issuer_outcomes_total{outcome}`: decisions rejected, provider call outcomes
 * (send-issued, send-unknown, send-not-sent, send-rejected, send-found, send-not-found), retries
 * scheduled, cases for a human, and what the invoices ended as: `invoice-issued` and
 * `invoice-failed` (the FAILED rate the issuance error-spike alert reads; see `countInvoiceOutcomes`).
 * Breaker state is @invoice/provider's `invoice_provider_breaker_state`.
 *
 * `invoice_issuer_db_group_seconds`: one observation per database transaction of the decision store
 * (a group of events, ADR 0019); `invoice_issuer_db_group_events_total`: the events those applied —
 * events_total / group_seconds_count is the average group size.
 */
export function createIssuanceMetrics(registry: Registry) {
  const outcomes = invoiceCounter(registry, {
    name: "issuer_outcomes",
    help: "Issuer outcomes: provider call results, retries scheduled, rejections, human cases, invoices issued or failed.",
    labelNames: ["outcome"] as const,
  });
  // Present from the start (at 0), so a ratio over them is 0 rather than "no data" before the first failure.
  for (const outcome of ["invoice-issued", "invoice-failed"]) outcomes.inc({ outcome }, 0);
  const groupSeconds = invoiceHistogram(registry, {
    name: "issuer_db_group",
    help: "Database transactions of the decision store, one per group of events, in seconds.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const groupEvents = invoiceCounter(registry, {
    name: "issuer_db_group_events",
    help: "Events applied by the decision store's group transactions.",
  });
  const relayed = invoiceCounter(registry, {
    name: "issuer_outbox_relayed",
    help: "InvoiceEvents published by the outbox relay: committed, not published in time (ADR 0022).",
  });
  relayed.inc(0);
  return {
    outcome: (outcome: string) => outcomes.inc({ outcome }),
    relayed: (count: number) => relayed.inc(count),
    group: (size: number, seconds: number) => {
      groupSeconds.observe(seconds);
      groupEvents.inc(size);
    },
  };
}

export type IssuanceMetrics = ReturnType<typeof createIssuanceMetrics>;

/**
 * Counts the invoices a committed decision issued or failed (its InvoiceIssued / InvoiceFailed
 * events) as `invoice-issued` / `invoice-failed`. Counted at commit, so once per transition: a
 * repeat of the event is a duplicate (nothing committed) and counts nothing; a failed invoice
 * replayed and failing again is a new failure. A replay of an issued order re-publishes its
 * InvoiceIssued (domain on-replay.ts) — a repeat, not an invoice — so a ReplayRequested decision
 * counts no `invoice-issued` (a replayed failed invoice is issued later, by its SendResult).
 */
export function countInvoiceOutcomes(store: DecisionStore, metrics: IssuanceMetrics): DecisionStore {
  return async (event, attempts) => {
    const committed = await store(event, attempts);
    if (committed.kind === "applied") {
      for (const effect of committed.decision.effects) {
        if (effect.type !== "PublishInvoiceEvent") continue;
        if (effect.event.type === "InvoiceIssued") {
          if (event.type !== "ReplayRequested") metrics.outcome("invoice-issued");
        } else if (effect.event.type === "InvoiceFailed") metrics.outcome("invoice-failed");
      }
    }
    return committed;
  };
}
