/**
 * The document of one invoice of the order, built from the order state and the invoice's seller and
 * provider snapshot. Deterministic: the row's totals (at creation) and the send (every attempt) build
 * the same document. Originals and replacements repeat the sale's lines; a refund adjustment is a
 * decrease of the refunded amount, carried as one line per VAT rate is not derivable from the state,
 * so it is refused (ADJUSTMENT_UNSUPPORTED) until the refund carries its lines.
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
  if (invoice.role === "adjustment") {
    return {
      ok: false,
      code: "INVALID_DOCUMENT",
      reason: "ADJUSTMENT_UNSUPPORTED: adjustment documents are not built by this issuer yet",
      issues: [],
    };
  }
  const series = seriesFor(provider, invoice.invoiceDate);
  const related = invoice.relatesToSeq
    ? state.invoices.find((other) => other.seq === invoice.relatesToSeq)
    : undefined;
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
