import type { LocalDate } from "../local-date.ts";
import { allocateLargestRemainder } from "./allocate.ts";
import { parseQuantity, QUANTITY_SCALE, type Quantity, roundHalfUp } from "./decimal.ts";
import { type VatCategory, type VatPolicy, VIETNAM_VAT_POLICY } from "./vat-policy.ts";
import { compareVatRates, resolveVatRate, type VatRate } from "./vat-rate.ts";

/** One line as the order knows it. Prices are VAT-exclusive whole VND. */
export interface InvoiceLineInput {
  name: string;
  /** Our or the merchant's item code (XML `MHHDVu`). */
  sku?: string;
  /** Unit of measure (XML `DVTinh`), e.g. "cái", "kg". */
  unit?: string;
  /** Positive, at most 6 decimals; a decimal string avoids binary floating point surprises. */
  quantity: string | number;
  /** VAT-exclusive unit price, a whole number of VND >= 0. */
  unitPriceVnd: number;
  /** Trade discount on this line in whole VND, at most the line amount. */
  discountVnd?: number;
  vatCategory: VatCategory;
}

export interface ComputedLine {
  index: number;
  quantity: string;
  unitPriceVnd: number;
  /** round(quantity x unit price). */
  grossVnd: number;
  discountVnd: number;
  /** grossVnd - discountVnd: the line's "thành tiền chưa thuế" (XML `ThTien`). */
  amountBeforeVatVnd: number;
  vatRate: VatRate;
  /** This line's share of its rate group's VAT (largest remainder), so lines add up to the group. */
  vatVnd: number;
  totalVnd: number;
}

export interface VatBreakdownRow {
  vatRate: VatRate;
  amountBeforeVatVnd: number;
  vatVnd: number;
  totalVnd: number;
  lineCount: number;
}

export interface InvoiceTotals {
  invoiceDate: LocalDate;
  lines: ComputedLine[];
  /** One row per distinct rate, in {@link compareVatRates} order. */
  breakdown: VatBreakdownRow[];
  totalDiscountVnd: number;
  totalBeforeVatVnd: number;
  totalVatVnd: number;
  totalPayableVnd: number;
}

export type TotalsErrorCode =
  | "NO_LINES"
  | "INVALID_LINE"
  | "INVALID_DATE"
  | "DATE_BEFORE_POLICY_COVERAGE"
  | "INVALID_VAT_CATEGORY"
  | "STANDARD_RATE_AS_OTHER"
  | "INVALID_QUANTITY"
  | "INVALID_UNIT_PRICE"
  | "INVALID_DISCOUNT"
  | "DISCOUNT_EXCEEDS_AMOUNT"
  | "AMOUNT_TOO_LARGE";

export type TotalsResult =
  | ({ ok: true } & InvoiceTotals)
  | { ok: false; code: TotalsErrorCode; lineIndex?: number; message: string };

export interface ComputeTotalsOptions {
  policy?: VatPolicy;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function isWholeVnd(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

interface PreparedLine {
  index: number;
  quantity: Quantity;
  unitPriceVnd: number;
  gross: bigint;
  discount: bigint;
  net: bigint;
  vatRate: VatRate;
}

type Failure = Extract<TotalsResult, { ok: false }>;

function fail(code: TotalsErrorCode, message: string, lineIndex?: number): Failure {
  return lineIndex === undefined ? { ok: false, code, message } : { ok: false, code, lineIndex, message };
}

function prepareLine(line: InvoiceLineInput, index: number, date: LocalDate, policy: VatPolicy) {
  if (typeof line !== "object" || line === null)
    return fail("INVALID_LINE", `line ${index} is not an object`, index);
  const rate = resolveVatRate(line.vatCategory, date, policy);
  if (!rate.ok) return fail(rate.code, `line ${index}: ${rate.code} (${String(line.vatCategory)})`, index);
  const quantity = parseQuantity(line.quantity);
  if (!quantity)
    return fail("INVALID_QUANTITY", `line ${index}: quantity must be > 0 with <= 6 decimals`, index);
  if (!isWholeVnd(line.unitPriceVnd)) {
    return fail("INVALID_UNIT_PRICE", `line ${index}: unit price must be a whole VND amount >= 0`, index);
  }
  const discountVnd = line.discountVnd ?? 0;
  if (!isWholeVnd(discountVnd)) {
    return fail("INVALID_DISCOUNT", `line ${index}: discount must be a whole VND amount >= 0`, index);
  }
  const gross = roundHalfUp(quantity.scaled * BigInt(line.unitPriceVnd), QUANTITY_SCALE);
  if (gross > MAX) return fail("AMOUNT_TOO_LARGE", `line ${index}: amount exceeds the safe range`, index);
  const discount = BigInt(discountVnd);
  if (discount > gross) {
    return fail("DISCOUNT_EXCEEDS_AMOUNT", `line ${index}: discount ${discountVnd} > amount ${gross}`, index);
  }
  const prepared: PreparedLine = {
    index,
    quantity,
    unitPriceVnd: line.unitPriceVnd,
    gross,
    discount,
    net: gross - discount,
    vatRate: rate.rate,
  };
  return prepared;
}

/**
 * Per-line amounts, per-rate breakdown and totals of an invoice, in whole VND.
 *
 * Rounding (the only two places a fraction can appear, both round half up, {@link roundHalfUp}):
 * 1. a line's amount = round(quantity x unit price), then minus its discount (discounts are whole VND);
 * 2. a rate group's VAT = round(sum of its lines' amounts x rate) - VAT is computed once per rate, not
 *    per line, so many small lines do not accumulate rounding error.
 * Per-line VAT is the group VAT shared out in proportion to line amounts by largest remainder, so the
 * lines of a group always add up to the group exactly. Everything else is exact integer addition.
 */
export function computeInvoiceTotals(
  lines: readonly InvoiceLineInput[],
  invoiceDate: LocalDate,
  options: ComputeTotalsOptions = {},
): TotalsResult {
  const policy = options.policy ?? VIETNAM_VAT_POLICY;
  // Check the date once up front rather than reporting it against every line.
  const dateCheck = resolveVatRate("VAT10", invoiceDate, policy);
  if (!dateCheck.ok) return fail(dateCheck.code, `invoice date ${String(invoiceDate)}: ${dateCheck.code}`);
  if (lines.length === 0) return fail("NO_LINES", "an invoice needs at least one line");
  const prepared: PreparedLine[] = [];
  for (const [index, line] of lines.entries()) {
    const result = prepareLine(line, index, invoiceDate, policy);
    if ("ok" in result) return result;
    prepared.push(result);
  }

  const groups = new Map<string, PreparedLine[]>();
  for (const line of prepared) {
    const group = groups.get(line.vatRate.label);
    if (group) group.push(line);
    else groups.set(line.vatRate.label, [line]);
  }

  const lineVat = new Map<number, bigint>();
  const breakdown: VatBreakdownRow[] = [];
  let totalBeforeVat = 0n;
  let totalVat = 0n;
  let totalDiscount = 0n;
  for (const group of groups.values()) {
    const first = group[0] as PreparedLine;
    const net = group.reduce((sum, l) => sum + l.net, 0n);
    const vat = first.vatRate.taxed ? roundHalfUp(net * BigInt(first.vatRate.basisPoints), 10_000n) : 0n;
    const shares = allocateLargestRemainder(
      vat,
      group.map((l) => l.net),
    );
    for (const [i, l] of group.entries()) lineVat.set(l.index, shares[i] ?? 0n);
    totalBeforeVat += net;
    totalVat += vat;
    breakdown.push({
      vatRate: first.vatRate,
      amountBeforeVatVnd: Number(net),
      vatVnd: Number(vat),
      totalVnd: Number(net + vat),
      lineCount: group.length,
    });
  }
  for (const line of prepared) totalDiscount += line.discount;
  if (totalBeforeVat + totalVat > MAX)
    return fail("AMOUNT_TOO_LARGE", "invoice total exceeds the safe range");
  breakdown.sort((a, b) => compareVatRates(a.vatRate, b.vatRate));

  const computed: ComputedLine[] = prepared.map((l) => {
    const vat = lineVat.get(l.index) ?? 0n;
    return {
      index: l.index,
      quantity: l.quantity.text,
      unitPriceVnd: l.unitPriceVnd,
      grossVnd: Number(l.gross),
      discountVnd: Number(l.discount),
      amountBeforeVatVnd: Number(l.net),
      vatRate: l.vatRate,
      vatVnd: Number(vat),
      totalVnd: Number(l.net + vat),
    };
  });
  return {
    ok: true,
    invoiceDate,
    lines: computed,
    breakdown,
    totalDiscountVnd: Number(totalDiscount),
    totalBeforeVatVnd: Number(totalBeforeVat),
    totalVatVnd: Number(totalVat),
    totalPayableVnd: Number(totalBeforeVat + totalVat),
  };
}
