import { isLocalDate, type LocalDate } from "../local-date.ts";
import { parseInvoiceSymbol } from "../symbol/invoice-symbol.ts";
import type { IssueCollector } from "./fields.ts";
import type { InvoiceCorrectionInput, InvoiceSnapshot } from "./types.ts";

const INVOICE_NO = /^[1-9]\d{0,7}$/;

/**
 * Reads and validates the invoice this document adjusts or replaces (XML `TTHDLQuan`). The
 * reference must be a real symbol of the same template, dated in the year its series says, not after
 * this invoice: a correction pointing at an invoice that cannot exist is refused here rather than by
 * the tax authority after signing.
 */
export function readCorrection(
  c: IssueCollector,
  s: InvoiceSnapshot,
  templateCode: string | undefined,
): InvoiceCorrectionInput | undefined {
  const input = s.correction;
  if (!input) return undefined;
  if (input.kind !== "replacement" && input.kind !== "adjustment") {
    c.add("correction.kind", "INVALID", "correction.kind must be replacement or adjustment");
    return undefined;
  }
  const o = input.original ?? ({} as InvoiceCorrectionInput["original"]);
  const originalTemplate = c.text("correction.original.templateCode", o.templateCode, {
    required: true,
    max: 11,
  });
  const series = c.text("correction.original.series", o.series, { required: true, max: 8 });
  const invoiceNo = c.text("correction.original.invoiceNo", o.invoiceNo, { required: true, max: 8 });
  if (invoiceNo !== undefined && !INVOICE_NO.test(invoiceNo)) {
    c.add("correction.original.invoiceNo", "INVALID", "invoice number must be 1-8 digits");
  }
  const dateOk =
    isLocalDate(o.invoiceDate) && (!isLocalDate(s.invoiceDate) || o.invoiceDate <= s.invoiceDate);
  if (!dateOk) {
    c.add(
      "correction.original.invoiceDate",
      "INVALID",
      "original date must be a date not after this invoice",
    );
  }
  if (originalTemplate !== undefined && series !== undefined) {
    const symbol = parseInvoiceSymbol(`${originalTemplate}${series}`, dateOk ? o.invoiceDate : undefined);
    if (!symbol.ok) {
      c.add(
        "correction.original.series",
        `SYMBOL_${symbol.code}`,
        `the corrected invoice's symbol ${originalTemplate}${series} is invalid (${symbol.code})`,
      );
    } else if (templateCode !== undefined && symbol.templateCode !== templateCode) {
      c.add(
        "correction.original.templateCode",
        "TEMPLATE_MISMATCH",
        `a template ${templateCode} invoice cannot correct a template ${symbol.templateCode} invoice`,
      );
    }
  }
  const note = c.text("correction.note", input.note, { required: false, max: 255 });
  const out: InvoiceCorrectionInput = {
    kind: input.kind,
    original: {
      templateCode: originalTemplate ?? "",
      series: series ?? "",
      invoiceNo: invoiceNo ?? "",
      invoiceDate: o.invoiceDate,
    },
  };
  if (input.kind === "adjustment") out.direction = input.direction === "decrease" ? "decrease" : "increase";
  if (note !== undefined) out.note = note;
  return out;
}

/**
 * The date whose VAT rates the document uses: the sale's tax point. Given explicitly
 * (`taxPointDate`, what the state machine's issuance effects carry), else the corrected invoice's
 * date for a correction, else the invoice date. A correction must not use its own date: an
 * adjustment in January 2027 of an 8% invoice of December 2026 is still at 8%.
 */
export function resolveTaxPointDate(
  c: IssueCollector,
  s: InvoiceSnapshot,
  correction: InvoiceCorrectionInput | undefined,
): LocalDate {
  const fallback =
    correction && isLocalDate(correction.original.invoiceDate)
      ? correction.original.invoiceDate
      : s.invoiceDate;
  if (s.taxPointDate === undefined) return fallback;
  const latest = correction ? correction.original.invoiceDate : s.invoiceDate;
  if (!isLocalDate(s.taxPointDate) || (isLocalDate(latest) && s.taxPointDate > latest)) {
    c.add(
      "taxPointDate",
      "INVALID",
      correction
        ? "taxPointDate must be a date not after the corrected invoice"
        : "taxPointDate must be a date not after the invoice date",
    );
    return fallback;
  }
  return s.taxPointDate;
}
