import { amountInWords } from "../words/amount-in-words.ts";
import type { DocumentLine, DocumentVatRow, InvoiceDocument } from "./types.ts";

/**
 * How the total of a decrease adjustment is written in words (XML `TgTTTBChu`): "Giảm" followed by
 * the words of the absolute amount, "Giảm một trăm nghìn đồng" for -100,000. The amount itself
 * (`TgTTTBSo`) carries the minus sign. We chose "Giảm" (decrease) over "Âm" (minus) because it says
 * what the document does; no rule fixing either was found (revisit with a tax adviser).
 */
export const DECREASE_WORDS_PREFIX = "Giảm";

const negate = (n: number) => (n === 0 ? 0 : -n);

/** The total payable in words, for a signed total (negative only on decrease adjustments). */
export function totalInWords(totalVnd: number): string {
  if (totalVnd >= 0) return amountInWords(totalVnd);
  const words = amountInWords(-totalVnd);
  return `${DECREASE_WORDS_PREFIX} ${words.charAt(0).toLocaleLowerCase("vi")}${words.slice(1)}`;
}

function negateLine(l: DocumentLine): DocumentLine {
  return {
    ...l,
    unitPriceVnd: negate(l.unitPriceVnd),
    discountVnd: negate(l.discountVnd),
    amountBeforeVatVnd: negate(l.amountBeforeVatVnd),
    vatVnd: negate(l.vatVnd),
    totalVnd: negate(l.totalVnd),
  };
}

function negateRow(r: DocumentVatRow): DocumentVatRow {
  return {
    ...r,
    amountBeforeVatVnd: negate(r.amountBeforeVatVnd),
    vatVnd: negate(r.vatVnd),
    totalVnd: negate(r.totalVnd),
  };
}

/**
 * A decrease adjustment is written with negative money amounts everywhere (unit prices, discounts,
 * line amounts, per-rate amounts and VAT, totals), in the JSON document and so in the XML: the sign
 * is what tells the tax authority's data which way the adjustment goes, TTHDLQuan has no direction
 * field. Quantities stay positive, so quantity x unit price still gives the line amount.
 */
export function withDecreaseSign(d: InvoiceDocument): InvoiceDocument {
  const totalPayableVnd = negate(d.totals.totalPayableVnd);
  return {
    ...d,
    lines: d.lines.map(negateLine),
    vatBreakdown: d.vatBreakdown.map(negateRow),
    totals: {
      totalDiscountVnd: negate(d.totals.totalDiscountVnd),
      totalBeforeVatVnd: negate(d.totals.totalBeforeVatVnd),
      totalVatVnd: negate(d.totals.totalVatVnd),
      totalPayableVnd,
      totalPayableInWords: totalInWords(totalPayableVnd),
    },
  };
}
