import { propertyRuns } from "@invoice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeInvoiceTotals, type InvoiceLineInput, type InvoiceTotals } from "./totals.ts";

const CATEGORIES = [
  "VAT10",
  "VAT10_REDUCIBLE",
  "VAT5",
  "VAT0",
  "KCT",
  "KKKNT",
  "KHAC:3.5%",
  "KHAC:12.25%",
] as const;

const quantity = fc.oneof(
  fc.integer({ min: 1, max: 1_000 }),
  fc
    .tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 999_999 }))
    .filter(([w, f]) => w + f > 0)
    .map(([w, f]) => `${w}.${String(f).padStart(6, "0")}`),
);

const lineArb: fc.Arbitrary<InvoiceLineInput> = fc
  .record({
    quantity,
    unitPriceVnd: fc.integer({ min: 0, max: 50_000_000 }),
    discountPercent: fc.integer({ min: 0, max: 100 }),
    vatCategory: fc.constantFrom(...CATEGORIES),
  })
  .map(({ quantity, unitPriceVnd, discountPercent, vatCategory }) => {
    // Keep the discount within the line amount: a fraction of the floor of quantity x price.
    const floorGross = Math.floor(Number(quantity) * unitPriceVnd);
    const discountVnd = Math.floor((floorGross * discountPercent) / 100 / 2);
    return { name: "Hàng", quantity, unitPriceVnd, discountVnd, vatCategory };
  });

const dateArb = fc.constantFrom("2025-07-01", "2026-06-15", "2026-12-31", "2027-01-01", "2028-02-29");

function totalsOf(lines: InvoiceLineInput[], date: string): InvoiceTotals {
  const result = computeInvoiceTotals(lines, date);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result;
}

const RUNS = { numRuns: propertyRuns(200) };

describe("computeInvoiceTotals properties", () => {
  it("breakdown rows add up to the totals, lines add up to their rows, payable = before VAT + VAT", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 25 }), dateArb, (lines, date) => {
        const t = totalsOf(lines, date);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(sum(t.breakdown.map((r) => r.amountBeforeVatVnd))).toBe(t.totalBeforeVatVnd);
        expect(sum(t.breakdown.map((r) => r.vatVnd))).toBe(t.totalVatVnd);
        expect(t.totalPayableVnd).toBe(t.totalBeforeVatVnd + t.totalVatVnd);
        expect(sum(t.lines.map((l) => l.totalVnd))).toBe(t.totalPayableVnd);
        for (const row of t.breakdown) {
          const inRow = t.lines.filter((l) => l.vatRate.label === row.vatRate.label);
          expect(sum(inRow.map((l) => l.amountBeforeVatVnd))).toBe(row.amountBeforeVatVnd);
          expect(sum(inRow.map((l) => l.vatVnd))).toBe(row.vatVnd);
          expect(inRow).toHaveLength(row.lineCount);
        }
      }),
      RUNS,
    );
  });

  it("every amount is a non-negative whole number", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 25 }), dateArb, (lines, date) => {
        const t = totalsOf(lines, date);
        const amounts = [
          t.totalBeforeVatVnd,
          t.totalVatVnd,
          t.totalPayableVnd,
          t.totalDiscountVnd,
          ...t.lines.flatMap((l) => [l.grossVnd, l.discountVnd, l.amountBeforeVatVnd, l.vatVnd, l.totalVnd]),
          ...t.breakdown.flatMap((r) => [r.amountBeforeVatVnd, r.vatVnd, r.totalVnd]),
        ];
        for (const a of amounts) expect(Number.isSafeInteger(a) && a >= 0).toBe(true);
      }),
      RUNS,
    );
  });

  it("VAT of each rate is the rounded exact VAT of its group (error at most half a dong)", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 25 }), dateArb, (lines, date) => {
        for (const row of totalsOf(lines, date).breakdown) {
          const exactTimes10000 = BigInt(row.amountBeforeVatVnd) * BigInt(row.vatRate.basisPoints);
          const diff = BigInt(row.vatVnd) * 10_000n - exactTimes10000;
          // Half up: an exact .5 goes up, so the error lies in (-0.5, +0.5].
          expect(diff > -5_000n && diff <= 5_000n).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("line order does not change totals or breakdown", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 20 }),
        dateArb,
        fc.func(fc.integer()),
        (lines, date, key) => {
          const shuffled = lines
            .map((l, i) => ({ l, k: key(i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.l);
          const a = totalsOf(lines, date);
          const b = totalsOf(shuffled, date);
          expect(b.breakdown).toEqual(a.breakdown);
          expect([b.totalBeforeVatVnd, b.totalVatVnd, b.totalPayableVnd, b.totalDiscountVnd]).toEqual([
            a.totalBeforeVatVnd,
            a.totalVatVnd,
            a.totalPayableVnd,
            a.totalDiscountVnd,
          ]);
        },
      ),
      RUNS,
    );
  });

  it("splitting a whole-quantity line into two lines changes nothing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom(...CATEGORIES),
        dateArb,
        fc.nat(),
        (qty, price, vatCategory, date, cut) => {
          const first = 1 + (cut % (qty - 1));
          const whole = totalsOf([{ name: "x", quantity: qty, unitPriceVnd: price, vatCategory }], date);
          const split = totalsOf(
            [
              { name: "x", quantity: first, unitPriceVnd: price, vatCategory },
              { name: "x", quantity: qty - first, unitPriceVnd: price, vatCategory },
            ],
            date,
          );
          expect(split.breakdown.map((r) => ({ ...r, lineCount: 0 }))).toEqual(
            whole.breakdown.map((r) => ({ ...r, lineCount: 0 })),
          );
          expect(split.totalPayableVnd).toBe(whole.totalPayableVnd);
        },
      ),
      RUNS,
    );
  });
});
