import { invoiceCounter, type Registry } from "@invoice/observability";

/**
 * `invoice_issuer_outcomes_total{outcome}`: decisions rejected, provider call outcomes
 * (send-issued, send-unknown, send-not-sent, send-rejected, send-found, send-not-found), retries
 * scheduled and cases for a human. Breaker state is @invoice/provider's
 * `invoice_provider_breaker_state`.
 */
export function createIssuanceMetrics(registry: Registry) {
  const outcomes = invoiceCounter(registry, {
    name: "issuer_outcomes",
    help: "Issuer outcomes: provider call results, retries scheduled, rejections, human cases.",
    labelNames: ["outcome"] as const,
  });
  return { outcome: (outcome: string) => outcomes.inc({ outcome }) };
}

export type IssuanceMetrics = ReturnType<typeof createIssuanceMetrics>;
