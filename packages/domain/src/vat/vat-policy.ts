import type { LocalDate } from "../local-date.ts";

/**
 * The VAT treatment a line declares. The rate printed on the invoice is decided from this and the
 * invoice date by a {@link VatPolicy}, never stored on the line:
 * - `VAT10`: 10% and never reduced (Decree 174/2025 Appendix I/II exclusions: telecoms, finance,
 *   real estate, metals, mining products, excise goods...);
 * - `VAT10_REDUCIBLE`: 10%, or the reduced rate while a reduction period covers the invoice date;
 * - `VAT5`, `VAT0`: 5% and 0% (Law on VAT 48/2024/QH15);
 * - `KCT`: not subject to VAT (không chịu thuế); `KKKNT`: not required to declare/pay (không kê khai,
 *   tính nộp thuế);
 * - `KHAC:x%`: another rate, x with at most two decimals, 0 < x < 100 (XML `KHAC:AB.CD%`); never
 *   0, 5, 8 or 10, which only the categories above (and so the dated policy) may produce.
 */
export type VatCategory = "VAT10" | "VAT10_REDUCIBLE" | "VAT5" | "VAT0" | "KCT" | "KKKNT" | `KHAC:${string}`;

/** A temporary reduction of the standard rate for `VAT10_REDUCIBLE` lines, inclusive dates. */
export interface VatReductionPeriod {
  from: LocalDate;
  to: LocalDate;
  /** The reduced rate in basis points (800 = 8%). */
  rateBasisPoints: number;
  legalBasis: string;
}

/**
 * Dated VAT rules as data. `coverageFrom` is the first invoice date the table is known to be complete
 * for: earlier dates are refused rather than silently given 10%, because reductions before it (for
 * example Decree 180/2024 for the first half of 2025) were not verified for this table.
 */
export interface VatPolicy {
  coverageFrom: LocalDate;
  standardRateBasisPoints: number;
  reductions: readonly VatReductionPeriod[];
}

export const VIETNAM_VAT_POLICY: VatPolicy = {
  coverageFrom: "2025-07-01",
  standardRateBasisPoints: 1000,
  reductions: [
    {
      from: "2025-07-01",
      to: "2026-12-31",
      rateBasisPoints: 800,
      legalBasis: "Decree 174/2025/ND-CP (Resolution 204/2025/QH15)",
    },
  ],
};
