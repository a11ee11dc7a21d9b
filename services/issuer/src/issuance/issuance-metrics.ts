import { invoiceCounter, invoiceHistogram, type Registry } from "@invoice/observability";

/**
 * `invoice_issuer_outcomes_total{outcome}`: decisions rejected, provider call outcomes
 * (send-issued, send-unknown, send-not-sent, send-rejected, send-found, send-not-found), retries
 * scheduled and cases for a human. Breaker state is @invoice/provider's
 * `invoice_provider_breaker_state`.
 *
 * `invoice_issuer_db_group_seconds`: one observation per database transaction of the decision store
 * (a group of events, ADR 0019); `invoice_issuer_db_group_events_total`: the events those applied —
 * events_total / group_seconds_count is the average group size.
 */
export function createIssuanceMetrics(registry: Registry) {
  const outcomes = invoiceCounter(registry, {
    name: "issuer_outcomes",
    help: "Issuer outcomes: provider call results, retries scheduled, rejections, human cases.",
    labelNames: ["outcome"] as const,
  });
  const groupSeconds = invoiceHistogram(registry, {
    name: "issuer_db_group",
    help: "Database transactions of the decision store, one per group of events, in seconds.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const groupEvents = invoiceCounter(registry, {
    name: "issuer_db_group_events",
    help: "Events applied by the decision store's group transactions.",
  });
  return {
    outcome: (outcome: string) => outcomes.inc({ outcome }),
    group: (size: number, seconds: number) => {
      groupSeconds.observe(seconds);
      groupEvents.inc(size);
    },
  };
}

export type IssuanceMetrics = ReturnType<typeof createIssuanceMetrics>;
