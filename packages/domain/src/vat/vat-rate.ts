import { isLocalDate, type LocalDate } from "../local-date.ts";
import type { VatCategory, VatPolicy } from "./vat-policy.ts";

/** The rate that applies to a line on a given date, as printed in XML `TSuat`. */
export interface VatRate {
  /** `10%`, `8%`, `5%`, `0%`, `KCT`, `KKKNT` or `KHAC:AB.CD%`. */
  label: string;
  /** 0 for KCT and KKKNT. */
  basisPoints: number;
  /** False for KCT and KKKNT: no VAT amount is shown for them. */
  taxed: boolean;
  /** Set when a temporary reduction decided the rate. */
  legalBasis?: string;
}

export type VatRateErrorCode =
  | "INVALID_DATE"
  | "DATE_BEFORE_POLICY_COVERAGE"
  | "INVALID_VAT_CATEGORY"
  | "STANDARD_RATE_AS_OTHER";

export type VatRateResult = { ok: true; rate: VatRate } | { ok: false; code: VatRateErrorCode };

const OTHER_RATE = /^KHAC:(\d{1,2})(?:\.(\d{1,2}))?%$/;

function percentLabel(basisPoints: number): string {
  return `${basisPoints / 100}%`;
}

function fixed(basisPoints: number): VatRate {
  return { label: percentLabel(basisPoints), basisPoints, taxed: true };
}

/**
 * Rates that have their own category and are decided by the dated policy: `KHAC:8%` would bypass the
 * 8% reduction's end date (and its eligibility rules), `KHAC:10%` / `KHAC:5%` / `KHAC:0%` would print
 * a standard rate as "another rate". Refused, so the policy stays the only way to get them.
 */
const STANDARD_BASIS_POINTS = new Set([0, 500, 800, 1000]);

/** Parses `KHAC:x%` into basis points, or an error code when it is not a valid other rate. */
function otherRate(category: string): VatRate | VatRateErrorCode {
  const match = OTHER_RATE.exec(category);
  if (!match) return "INVALID_VAT_CATEGORY";
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? "").padEnd(2, "0");
  const basisPoints = Number(whole) * 100 + Number(fraction);
  if (STANDARD_BASIS_POINTS.has(basisPoints)) return "STANDARD_RATE_AS_OTHER";
  // The XML format is literally KHAC:AB.CD% (11 characters); we always print both digit pairs.
  const label = `KHAC:${whole.padStart(2, "0")}.${fraction}%`;
  return { label, basisPoints, taxed: true };
}

/** Decides the VAT rate of a category on an invoice date under a dated policy. */
export function resolveVatRate(
  category: VatCategory,
  invoiceDate: LocalDate,
  policy: VatPolicy,
): VatRateResult {
  if (!isLocalDate(invoiceDate)) return { ok: false, code: "INVALID_DATE" };
  if (invoiceDate < policy.coverageFrom) return { ok: false, code: "DATE_BEFORE_POLICY_COVERAGE" };
  switch (category) {
    case "VAT10":
      return { ok: true, rate: fixed(policy.standardRateBasisPoints) };
    case "VAT10_REDUCIBLE": {
      // ISO dates compare correctly as strings.
      const reduction = policy.reductions.find((r) => r.from <= invoiceDate && invoiceDate <= r.to);
      if (!reduction) return { ok: true, rate: fixed(policy.standardRateBasisPoints) };
      return { ok: true, rate: { ...fixed(reduction.rateBasisPoints), legalBasis: reduction.legalBasis } };
    }
    case "VAT5":
      return { ok: true, rate: fixed(500) };
    case "VAT0":
      return { ok: true, rate: fixed(0) };
    case "KCT":
    case "KKKNT":
      return { ok: true, rate: { label: category, basisPoints: 0, taxed: false } };
    default: {
      const rate = typeof category === "string" ? otherRate(category) : "INVALID_VAT_CATEGORY";
      return typeof rate === "string" ? { ok: false, code: rate } : { ok: true, rate };
    }
  }
}

/**
 * Fixed order of the per-rate breakdown (and so of the XML `LTSuat` list): taxed rates from the highest
 * down, then KCT, then KKKNT. Deterministic so that line order never changes a document.
 */
export function compareVatRates(a: VatRate, b: VatRate): number {
  const rank = (r: VatRate) => (r.taxed ? 0 : r.label === "KCT" ? 1 : 2);
  return rank(a) - rank(b) || b.basisPoints - a.basisPoints || a.label.localeCompare(b.label);
}
