import { describe, expect, it } from "vitest";
import { vietnamDateOf } from "../local-date.ts";
import { computeInvoiceTotals, type InvoiceLineInput, type TotalsResult } from "./totals.ts";

const line = (overrides: Partial<InvoiceLineInput> = {}): InvoiceLineInput => ({
  name: "Áo thun",
  quantity: 1,
  unitPriceVnd: 1_000_000,
  vatCategory: "VAT10_REDUCIBLE",
  ...overrides,
});

function ok(result: TotalsResult) {
  if (!result.ok) throw new Error(`expected totals, got ${result.code}: ${result.message}`);
  return result;
}

describe("computeInvoiceTotals: rates by date", () => {
  it.each([
    ["2025-07-01", 80_000],
    ["2026-12-31", 80_000],
    ["2027-01-01", 100_000],
  ])("a reducible 1,000,000 VND line on %s carries %d VAT", (date, vat) => {
    const totals = ok(computeInvoiceTotals([line()], date));
    expect(totals).toMatchObject({
      totalBeforeVatVnd: 1_000_000,
      totalVatVnd: vat,
      totalPayableVnd: 1_000_000 + vat,
    });
  });

  it("dates by the Vietnamese calendar: 18:00 UTC on 31 Dec 2026 is already 2027 in Hanoi", () => {
    const date = vietnamDateOf(Date.UTC(2026, 11, 31, 18, 0));
    expect(date).toBe("2027-01-01");
    expect(ok(computeInvoiceTotals([line()], date)).totalVatVnd).toBe(100_000);
    expect(vietnamDateOf(Date.UTC(2026, 11, 31, 16, 59, 59))).toBe("2026-12-31");
  });
});

describe("computeInvoiceTotals: rounding on awkward cases", () => {
  it("rounds VAT once per rate group, not per line: 100 lines of 1,005 VND at 8%", () => {
    const lines = Array.from({ length: 100 }, () => line({ unitPriceVnd: 1_005 }));
    const totals = ok(computeInvoiceTotals(lines, "2026-05-01"));
    // Per-line rounding would give 100 x round(80.4) = 8,000; the group gives round(100,500 x 8%) = 8,040.
    expect(totals.totalVatVnd).toBe(8_040);
    expect(totals.lines.reduce((s, l) => s + l.vatVnd, 0)).toBe(8_040);
    expect(new Set(totals.lines.map((l) => l.vatVnd))).toEqual(new Set([80, 81]));
    expect(totals.lines.filter((l) => l.vatVnd === 81)).toHaveLength(40);
  });

  it("rounds a line amount half up when the quantity has decimals", () => {
    const totals = ok(
      computeInvoiceTotals(
        [
          line({ quantity: "1.5", unitPriceVnd: 33_333, vatCategory: "VAT10" }), // 49,999.5 -> 50,000
          line({ quantity: "0.333", unitPriceVnd: 10_000, vatCategory: "VAT10" }), // 3,330 exactly
          line({ quantity: "2.25", unitPriceVnd: 1_111, vatCategory: "VAT10" }), // 2,499.75 -> 2,500
          line({ quantity: "0.000001", unitPriceVnd: 400_000, vatCategory: "VAT10" }), // 0.4 -> 0
        ],
        "2026-05-01",
      ),
    );
    expect(totals.lines.map((l) => l.grossVnd)).toEqual([50_000, 3_330, 2_500, 0]);
    expect(totals.lines.map((l) => l.quantity)).toEqual(["1.5", "0.333", "2.25", "0.000001"]);
    expect(totals.totalBeforeVatVnd).toBe(55_830);
    expect(totals.totalVatVnd).toBe(5_583);
  });

  it.each([
    [5, 10, 1], // 0.5 -> 1
    [4, 10, 0], // 0.4 -> 0
    [6_250, 8, 500], // exact
    [6_256, 8, 500], // 500.48
    [6_257, 8, 501], // 500.56
    [6_255, 10, 626], // 625.5 -> 626
    [1_999_999, 5, 100_000], // 99,999.95
  ])("VAT on %d at %d%% is %d", (amount, percent, vat) => {
    const category = percent === 8 ? "VAT10_REDUCIBLE" : percent === 5 ? "VAT5" : "VAT10";
    const totals = ok(
      computeInvoiceTotals([line({ unitPriceVnd: amount, vatCategory: category })], "2026-05-01"),
    );
    expect(totals.totalVatVnd).toBe(vat);
  });

  it("applies line discounts before VAT", () => {
    const totals = ok(
      computeInvoiceTotals(
        [line({ quantity: 3, unitPriceVnd: 99_999, discountVnd: 9_997, vatCategory: "VAT10" })],
        "2026-05-01",
      ),
    );
    expect(totals.lines[0]).toMatchObject({
      grossVnd: 299_997,
      discountVnd: 9_997,
      amountBeforeVatVnd: 290_000,
    });
    expect(totals).toMatchObject({ totalDiscountVnd: 9_997, totalVatVnd: 29_000, totalPayableVnd: 319_000 });
  });

  it("allows a fully discounted line and a free line", () => {
    const totals = ok(
      computeInvoiceTotals(
        [line({ unitPriceVnd: 50_000, discountVnd: 50_000 }), line({ unitPriceVnd: 0, name: "Quà tặng" })],
        "2026-05-01",
      ),
    );
    expect(totals).toMatchObject({ totalBeforeVatVnd: 0, totalVatVnd: 0, totalPayableVnd: 0 });
  });
});

describe("computeInvoiceTotals: per-rate breakdown", () => {
  it("groups every category, in fixed order, with VAT only on taxed rates", () => {
    const totals = ok(
      computeInvoiceTotals(
        [
          line({ unitPriceVnd: 100_000, vatCategory: "KKKNT" }),
          line({ unitPriceVnd: 200_000, vatCategory: "KCT" }),
          line({ unitPriceVnd: 300_000, vatCategory: "VAT0" }),
          line({ unitPriceVnd: 400_000, vatCategory: "VAT5" }),
          line({ unitPriceVnd: 500_000, vatCategory: "VAT10_REDUCIBLE" }),
          line({ unitPriceVnd: 600_000, vatCategory: "VAT10" }),
          line({ unitPriceVnd: 700_000, vatCategory: "KHAC:3.5%" }),
          line({ unitPriceVnd: 50_000, vatCategory: "VAT10" }),
        ],
        "2026-05-01",
      ),
    );
    expect(
      totals.breakdown.map((r) => [r.vatRate.label, r.amountBeforeVatVnd, r.vatVnd, r.lineCount]),
    ).toEqual([
      ["10%", 650_000, 65_000, 2],
      ["8%", 500_000, 40_000, 1],
      ["5%", 400_000, 20_000, 1],
      ["KHAC:03.50%", 700_000, 24_500, 1],
      ["0%", 300_000, 0, 1],
      ["KCT", 200_000, 0, 1],
      ["KKKNT", 100_000, 0, 1],
    ]);
    expect(totals).toMatchObject({
      totalBeforeVatVnd: 2_850_000,
      totalVatVnd: 149_500,
      totalPayableVnd: 2_999_500,
    });
  });
});

describe("computeInvoiceTotals: refusals", () => {
  it.each([
    [[], "2026-05-01", "NO_LINES", undefined],
    [[line(), null], "2026-05-01", "INVALID_LINE", 1],
    [[line()], "2025-06-30", "DATE_BEFORE_POLICY_COVERAGE", undefined],
    [[line()], "2026-13-01", "INVALID_DATE", undefined],
    [[line(), line({ quantity: 0 })], "2026-05-01", "INVALID_QUANTITY", 1],
    [[line({ quantity: "1.0000001" })], "2026-05-01", "INVALID_QUANTITY", 0],
    [[line({ unitPriceVnd: -1 })], "2026-05-01", "INVALID_UNIT_PRICE", 0],
    [[line({ unitPriceVnd: 10.5 })], "2026-05-01", "INVALID_UNIT_PRICE", 0],
    [[line({ discountVnd: -5 })], "2026-05-01", "INVALID_DISCOUNT", 0],
    [[line({ discountVnd: 1_000_001 })], "2026-05-01", "DISCOUNT_EXCEEDS_AMOUNT", 0],
    [[line({ vatCategory: "VAT8" as never })], "2026-05-01", "INVALID_VAT_CATEGORY", 0],
    // KHAC:8% after the reduction ended would dodge the dated policy.
    [[line(), line({ vatCategory: "KHAC:8%" })], "2027-03-01", "STANDARD_RATE_AS_OTHER", 1],
    [[line({ quantity: "999999999", unitPriceVnd: 999_999_999 })], "2026-05-01", "AMOUNT_TOO_LARGE", 0],
    [
      [line({ unitPriceVnd: 5_000_000_000_000_000 }), line({ unitPriceVnd: 5_000_000_000_000_000 })],
      "2026-05-01",
      "AMOUNT_TOO_LARGE",
      undefined,
    ],
  ] as const)("case %#: %s", (lines, date, code, lineIndex) => {
    const result = computeInvoiceTotals(lines as readonly InvoiceLineInput[], date);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.lineIndex).toBe(lineIndex);
  });
});
