/**
 * The document of one invoice of the order, built from the order state and the invoice's seller and
 * provider snapshot. Deterministic: the row's totals (at creation) and the send (every attempt) build
 * the same document. Originals and replacements repeat the sale's lines. A refund adjustment is a
 * decrease: a full refund repeats the sale's lines (the total must be the payment, negated); a partial
 * one scales each line's unit price by refund / payment (rounded: its total may differ from the refund
 * by a few VND, as refunds carry no lines of their own). A buyer adjustment changes information only
 * (one zero-amount note line).
 */
import {
  type BuildDocumentResult,
  buildInvoiceDocument,
  type InvoiceRecord,
  type OrderState,
  type SellerSnapshot,
} from "@invoice/domain";
import { type ProviderSnapshot, seriesFor } from "./merchant-profile.ts";

export function buildDocumentFor(
  state: OrderState,
  invoice: InvoiceRecord,
  seller: SellerSnapshot,
  provider: ProviderSnapshot,
): BuildDocumentResult {
  const payment = state.payment;
  if (!payment) {
    return { ok: false, code: "INVALID_DOCUMENT", reason: "no payment recorded", issues: [] };
  }
  const series = seriesFor(provider, invoice.invoiceDate);
  const related = invoice.relatesToSeq
    ? state.invoices.find((other) => other.seq === invoice.relatesToSeq)
    : undefined;
  if (invoice.role === "adjustment") {
    if (!related?.invoiceNo) {
      return {
        ok: false,
        code: "INVALID_DOCUMENT",
        reason: "the adjusted invoice has no number",
        issues: [],
      };
    }
    const original = {
      templateCode: "1",
      series: related.series ?? seriesFor(provider, related.invoiceDate),
      invoiceNo: related.invoiceNo,
      invoiceDate: related.invoiceDate,
    };
    return buildInvoiceDocument({
      orderId: state.orderId,
      merchantId: state.merchantId,
      transactionUuid: invoice.transactionUuid,
      symbol: `1${series}`,
      invoiceDate: invoice.invoiceDate,
      taxPointDate: invoice.taxPointDate,
      seller,
      buyer: invoice.buyer,
      ...adjustmentLines(invoice, payment),
      correction: { kind: "adjustment", ...directionOf(invoice), original, note: noteOf(invoice) },
    });
  }
  return buildInvoiceDocument({
    orderId: state.orderId,
    merchantId: state.merchantId,
    transactionUuid: invoice.transactionUuid,
    symbol: `1${series}`,
    invoiceDate: invoice.invoiceDate,
    taxPointDate: invoice.taxPointDate,
    seller,
    buyer: invoice.buyer,
    lines: payment.lines,
    expectedTotalVnd: payment.amountVnd,
    ...(invoice.role === "replacement" && related?.invoiceNo
      ? {
          correction: {
            kind: "replacement" as const,
            original: {
              templateCode: "1",
              series: related.series ?? seriesFor(provider, related.invoiceDate),
              invoiceNo: related.invoiceNo,
              invoiceDate: related.invoiceDate,
            },
          },
        }
      : {}),
  });
}

type Payment = NonNullable<OrderState["payment"]>;

function adjustmentLines(invoice: InvoiceRecord, payment: Payment) {
  const reason = invoice.reason;
  if (reason?.kind !== "refund") {
    return {
      lines: [
        {
          name: "Điều chỉnh thông tin người mua",
          quantity: 1,
          unitPriceVnd: 0,
          vatCategory: "VAT10" as const,
        },
      ],
    };
  }
  if (reason.amountVnd >= payment.amountVnd) {
    return { lines: payment.lines, expectedTotalVnd: -payment.amountVnd };
  }
  const ratio = reason.amountVnd / payment.amountVnd;
  return {
    lines: payment.lines.map((line) => ({ ...line, unitPriceVnd: Math.round(line.unitPriceVnd * ratio) })),
  };
}

const directionOf = (invoice: InvoiceRecord) =>
  invoice.reason?.kind === "refund" ? { direction: "decrease" as const } : {};

const noteOf = (invoice: InvoiceRecord) =>
  invoice.reason?.kind === "refund"
    ? `Điều chỉnh giảm do hoàn tiền ${invoice.reason.refundId}`
    : "Điều chỉnh thông tin người mua";
