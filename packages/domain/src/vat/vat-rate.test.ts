import { describe, expect, it } from "vitest";
import { type VatCategory, VIETNAM_VAT_POLICY } from "./vat-policy.ts";
import { compareVatRates, resolveVatRate } from "./vat-rate.ts";

const rate = (category: VatCategory, date: string) => resolveVatRate(category, date, VIETNAM_VAT_POLICY);

describe("resolveVatRate under the dated policy", () => {
  it.each([
    // The Decree 174/2025 window, both ends inclusive, and the days either side.
    ["VAT10_REDUCIBLE", "2025-07-01", "8%"],
    ["VAT10_REDUCIBLE", "2026-03-15", "8%"],
    ["VAT10_REDUCIBLE", "2026-12-31", "8%"],
    ["VAT10_REDUCIBLE", "2027-01-01", "10%"],
    ["VAT10_REDUCIBLE", "2030-06-30", "10%"],
    ["VAT10", "2025-07-01", "10%"],
    ["VAT10", "2026-06-01", "10%"],
    ["VAT10", "2027-01-01", "10%"],
    ["VAT5", "2026-06-01", "5%"],
    ["VAT0", "2026-06-01", "0%"],
    ["KCT", "2026-06-01", "KCT"],
    ["KKKNT", "2026-06-01", "KKKNT"],
    ["KHAC:3.5%", "2026-06-01", "KHAC:03.50%"],
    ["KHAC:7%", "2026-06-01", "KHAC:07.00%"],
    ["KHAC:12.25%", "2026-06-01", "KHAC:12.25%"],
    ["KHAC:0.5%", "2026-06-01", "KHAC:00.50%"],
  ] as const)("%s on %s is %s", (category, date, label) => {
    const result = rate(category, date);
    expect(result.ok && result.rate.label).toBe(label);
  });

  it("gives basis points and the legal basis of a reduction", () => {
    expect(rate("VAT10_REDUCIBLE", "2026-01-01")).toEqual({
      ok: true,
      rate: { label: "8%", basisPoints: 800, taxed: true, legalBasis: expect.stringContaining("174/2025") },
    });
    expect(rate("KCT", "2026-01-01")).toEqual({
      ok: true,
      rate: { label: "KCT", basisPoints: 0, taxed: false },
    });
    expect(rate("KHAC:3.5%", "2026-01-01")).toMatchObject({
      ok: true,
      rate: { basisPoints: 350, taxed: true },
    });
  });

  it.each([
    ["VAT8", "INVALID_VAT_CATEGORY"], // 8% is decided by the date, never declared on a line
    // The standard rates only come from their categories and the dated policy, never as KHAC:
    // KHAC:8% would keep the reduced rate after the reduction ends.
    ["KHAC:0%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:00.00%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:5%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:8%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:08.00%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:8.0%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:10%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:10.00%", "STANDARD_RATE_AS_OTHER"],
    ["KHAC:100%", "INVALID_VAT_CATEGORY"],
    ["KHAC:3.555%", "INVALID_VAT_CATEGORY"],
    ["KHAC:abc%", "INVALID_VAT_CATEGORY"],
    ["khac:5%", "INVALID_VAT_CATEGORY"],
    ["10%", "INVALID_VAT_CATEGORY"],
  ])("refuses category %j", (category, code) => {
    expect(rate(category as VatCategory, "2026-01-01")).toEqual({ ok: false, code });
  });

  it.each([
    ["2025-06-30", "DATE_BEFORE_POLICY_COVERAGE"],
    ["2024-12-31", "DATE_BEFORE_POLICY_COVERAGE"],
    ["2026-02-29", "INVALID_DATE"],
    ["2026-1-1", "INVALID_DATE"],
    ["26-01-01", "INVALID_DATE"],
  ])("refuses date %s", (date, code) => {
    expect(rate("VAT10", date)).toEqual({ ok: false, code });
  });

  it("lets a policy table add a period as data", () => {
    const policy = {
      ...VIETNAM_VAT_POLICY,
      reductions: [
        ...VIETNAM_VAT_POLICY.reductions,
        { from: "2028-01-01", to: "2028-06-30", rateBasisPoints: 700, legalBasis: "hypothetical" },
      ],
    };
    expect(resolveVatRate("VAT10_REDUCIBLE", "2028-03-01", policy)).toMatchObject({
      ok: true,
      rate: { label: "7%" },
    });
    expect(resolveVatRate("VAT10_REDUCIBLE", "2027-06-01", policy)).toMatchObject({
      ok: true,
      rate: { label: "10%" },
    });
  });
});

describe("compareVatRates", () => {
  it("orders taxed rates from highest, then KCT, then KKKNT", () => {
    const labels = ["KKKNT", "VAT0", "KCT", "VAT5", "KHAC:7%", "VAT10"]
      .map((c) => rate(c as VatCategory, "2026-01-01"))
      .flatMap((r) => (r.ok ? [r.rate] : []))
      .sort(compareVatRates)
      .map((r) => r.label);
    expect(labels).toEqual(["10%", "KHAC:07.00%", "5%", "0%", "KCT", "KKKNT"]);
  });
});
