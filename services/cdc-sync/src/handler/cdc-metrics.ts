import {
  type Counter,
  type Histogram,
  invoiceCounter,
  invoiceHistogram,
  type Registry,
} from "@invoice/observability";

/** What cdc-sync counts (DESIGN.md section 8: CDC skip/apply/stale counts). */
export interface CdcMetrics {
  /** invoice_cdc_events_total{op,outcome}: outcome applied|unchanged|stale|deleted|unknown_delete|tombstone|truncate|dead_letter|retry. */
  events: Counter<"op" | "outcome">;
  /** invoice_cdc_invalid_tax_codes_total{issue}: invalid codes stored (and flagged) as commerce sent them. */
  invalidTaxCodes: Counter<"issue">;
  /** invoice_cdc_mapping_errors_total{field,code}: rows the column mapping cannot read (the operator must act). */
  mappingErrors: Counter<"field" | "code">;
  /** invoice_cdc_apply_lag_seconds: commit at commerce (source.ts_ms) to TaxInfo written. */
  applyLag: Histogram;
}

export function createCdcMetrics(registry: Registry): CdcMetrics {
  return {
    events: invoiceCounter(registry, {
      name: "cdc_events",
      help: "Merchant change events handled by cdc-sync, by Debezium op and outcome",
      labelNames: ["op", "outcome"],
    }),
    invalidTaxCodes: invoiceCounter(registry, {
      name: "cdc_invalid_tax_codes",
      help: "Invalid tax codes received from commerce, stored as they are and flagged",
      labelNames: ["issue"],
    }),
    mappingErrors: invoiceCounter(registry, {
      name: "cdc_mapping_errors",
      help: "Merchant rows the column mapping could not read (dead-lettered)",
      labelNames: ["field", "code"],
    }),
    applyLag: invoiceHistogram(registry, {
      name: "cdc_apply_lag",
      help: "Seconds from the commit at commerce to the TaxInfo write",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    }),
  };
}
