import { normalizeBuyer } from "../buyer.ts";
import type { InvoiceBuyer } from "../events.ts";
import { isLocalDate } from "../local-date.ts";
import { parseInvoiceSymbol } from "../symbol/invoice-symbol.ts";
import { validateTaxCode } from "../tax-code/tax-code.ts";
import { computeInvoiceTotals, type InvoiceTotals } from "../vat/totals.ts";
import { amountInWords } from "../words/amount-in-words.ts";
import { readCorrection, resolveTaxPointDate } from "./correction.ts";
import { IssueCollector } from "./fields.ts";
import { withDecreaseSign } from "./signed-amounts.ts";
import {
  type BuildDocumentResult,
  type DocumentLine,
  INVOICE_FORMAT_VERSION,
  type InvoiceDocument,
  type InvoiceSnapshot,
  type SellerSnapshot,
} from "./types.ts";

const VAT_INVOICE_NAME = "Hóa đơn giá trị gia tăng";
const TRANSACTION_UUID = /^[A-Za-z0-9-]{10,36}$/;
const INVOICE_NO = /^[1-9]\d{0,7}$/;

function taxCodeField(
  c: IssueCollector,
  path: string,
  value: unknown,
  required: boolean,
): string | undefined {
  const raw = c.text(path, value, { required, max: 40 });
  if (raw === undefined) return undefined;
  const result = validateTaxCode(raw);
  if (!result.ok) {
    c.add(path, `TAX_CODE_${result.code}`, `${path} is not a valid tax code (${result.code})`);
    return undefined;
  }
  return result.normalized;
}

function readSeller(c: IssueCollector, seller: SellerSnapshot | undefined): SellerSnapshot {
  const s = seller ?? ({} as SellerSnapshot);
  const out: SellerSnapshot = {
    name: c.text("seller.name", s.name, { required: true, max: 400 }) ?? "",
    taxCode: taxCodeField(c, "seller.taxCode", s.taxCode, true) ?? "",
    address: c.text("seller.address", s.address, { required: true, max: 400 }) ?? "",
  };
  const optional = [
    ["phone", 20],
    ["email", 50],
    ["bankAccount", 30],
    ["bankName", 400],
    ["storeCode", 50],
    ["storeName", 400],
  ] as const;
  for (const [key, max] of optional) {
    const value = c.text(`seller.${key}`, s[key], { required: false, max });
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readBuyer(c: IssueCollector, buyer: InvoiceBuyer | undefined): InvoiceBuyer {
  if (buyer?.kind === "anonymous") return { kind: "anonymous" };
  if (!buyer) {
    c.add("buyer", "REQUIRED", "buyer is required (use kind anonymous for the retail buyer)");
    return { kind: "anonymous" };
  }
  const result = normalizeBuyer(buyer);
  if (!result.ok) {
    const detail = result.taxCodeError ? ` (${result.taxCodeError})` : "";
    c.add(`buyer.${result.field}`, `BUYER_${result.code}`, `buyer ${result.field}: ${result.code}${detail}`);
    return { kind: "anonymous" };
  }
  return result.buyer;
}

function documentLines(c: IssueCollector, s: InvoiceSnapshot, totals: InvoiceTotals): DocumentLine[] {
  return totals.lines.map((computed) => {
    const input = s.lines[computed.index];
    const path = `lines[${computed.index}]`;
    const line: DocumentLine = {
      lineNo: computed.index + 1,
      nature: 1,
      name: c.text(`${path}.name`, input?.name, { required: true, max: 500 }) ?? "",
      quantity: computed.quantity,
      unitPriceVnd: computed.unitPriceVnd,
      discountVnd: computed.discountVnd,
      amountBeforeVatVnd: computed.amountBeforeVatVnd,
      vatRate: computed.vatRate.label,
      vatVnd: computed.vatVnd,
      totalVnd: computed.totalVnd,
    };
    const sku = c.text(`${path}.sku`, input?.sku, { required: false, max: 50 });
    const unit = c.text(`${path}.unit`, input?.unit, { required: false, max: 50 });
    if (sku !== undefined) line.sku = sku;
    if (unit !== undefined) line.unit = unit;
    return line;
  });
}

/**
 * Turns an order snapshot into the canonical invoice document, validating every field first.
 * An invalid snapshot is `{ ok: false, code: "INVALID_DOCUMENT", reason, issues }` listing all
 * problems; such a document must never reach a provider.
 *
 * VAT rates are those of the tax point date (see {@link resolveTaxPointDate}), not of the invoice
 * date, so a correction keeps the rates of the sale it corrects. A decrease adjustment comes out
 * with negative amounts ({@link withDecreaseSign}); `expectedTotalVnd` is compared with that signed
 * total.
 */
export function buildInvoiceDocument(s: InvoiceSnapshot): BuildDocumentResult {
  const c = new IssueCollector();
  const orderId = c.text("orderId", s.orderId, { required: true, max: 100 }) ?? "";
  const merchantId = c.text("merchantId", s.merchantId, { required: true, max: 100 }) ?? "";
  if (typeof s.transactionUuid !== "string" || !TRANSACTION_UUID.test(s.transactionUuid)) {
    c.add("transactionUuid", "INVALID", "transactionUuid must be 10-36 letters, digits or hyphens");
  }
  if (!isLocalDate(s.invoiceDate)) c.add("invoiceDate", "INVALID", "invoiceDate must be YYYY-MM-DD");
  // The symbol parser also checks the kind letter against the template digit, so a VAT invoice
  // (template 1) can only carry the kind letters that go with it.
  const symbol = parseInvoiceSymbol(s.symbol, isLocalDate(s.invoiceDate) ? s.invoiceDate : undefined);
  if (!symbol.ok) c.add("symbol", `SYMBOL_${symbol.code}`, `invoice symbol is invalid (${symbol.code})`);
  else if (symbol.templateCode !== "1") {
    c.add("symbol", "UNSUPPORTED_TEMPLATE", "only template 1 (VAT invoice) documents are built");
  }
  let invoiceNo: string | undefined;
  if (s.invoiceNo !== undefined) {
    invoiceNo = String(s.invoiceNo);
    if (!INVOICE_NO.test(invoiceNo)) c.add("invoiceNo", "INVALID", "invoice number must be 1-8 digits");
  }
  const seller = readSeller(c, s.seller);
  const buyer = readBuyer(c, s.buyer);
  const paymentMethod =
    c.text("paymentMethod", s.paymentMethod ?? "TM/CK", { required: true, max: 50 }) ?? "";
  const providerTaxCode = taxCodeField(c, "providerTaxCode", s.providerTaxCode, false);
  const correction = readCorrection(c, s, symbol.ok ? symbol.templateCode : undefined);
  const taxPointDate = resolveTaxPointDate(c, s, correction);
  const sign = correction?.direction === "decrease" ? -1 : 1;

  const totals = computeInvoiceTotals(Array.isArray(s.lines) ? s.lines : [], taxPointDate, {
    ...(s.vatPolicy ? { policy: s.vatPolicy } : {}),
  });
  let lines: DocumentLine[] = [];
  if (!totals.ok) {
    // An invalid date is already reported once, under invoiceDate / taxPointDate.
    if (totals.code === "INVALID_DATE")
      return { ok: false, code: "INVALID_DOCUMENT", reason: c.reason, issues: c.issues };
    const path = totals.lineIndex === undefined ? "lines" : `lines[${totals.lineIndex}]`;
    c.add(path, totals.code, totals.message);
  } else {
    lines = documentLines(c, s, totals);
    const signedTotal = sign * totals.totalPayableVnd;
    if (s.expectedTotalVnd !== undefined && s.expectedTotalVnd !== signedTotal) {
      c.add(
        "expectedTotalVnd",
        "TOTAL_MISMATCH",
        `computed total payable ${signedTotal} differs from expected ${s.expectedTotalVnd}`,
      );
    }
    // "Giảm " adds five characters to a decrease's words.
    if (amountInWords(totals.totalPayableVnd).length + (sign < 0 ? 5 : 0) > 255) {
      c.add("lines", "TOTAL_TOO_LARGE", "the total payable in words exceeds 255 characters (TgTTTBChu)");
    }
  }
  if (c.issues.length > 0 || !totals.ok || !symbol.ok) {
    return { ok: false, code: "INVALID_DOCUMENT", reason: c.reason, issues: c.issues };
  }
  const document: InvoiceDocument = {
    formatVersion: INVOICE_FORMAT_VERSION,
    documentId: `DLHDon-${s.transactionUuid}`,
    orderId,
    merchantId,
    transactionUuid: s.transactionUuid,
    invoiceName: VAT_INVOICE_NAME,
    templateCode: symbol.templateCode,
    series: symbol.series,
    symbol: symbol.full,
    ...(invoiceNo !== undefined ? { invoiceNo } : {}),
    invoiceDate: s.invoiceDate,
    taxPointDate,
    currency: "VND",
    paymentMethod,
    ...(providerTaxCode !== undefined ? { providerTaxCode } : {}),
    ...(correction ? { correction } : {}),
    seller,
    buyer,
    lines,
    vatBreakdown: totals.breakdown.map((row) => ({
      vatRate: row.vatRate.label,
      taxed: row.vatRate.taxed,
      amountBeforeVatVnd: row.amountBeforeVatVnd,
      vatVnd: row.vatVnd,
      totalVnd: row.totalVnd,
    })),
    totals: {
      totalDiscountVnd: totals.totalDiscountVnd,
      totalBeforeVatVnd: totals.totalBeforeVatVnd,
      totalVatVnd: totals.totalVatVnd,
      totalPayableVnd: totals.totalPayableVnd,
      totalPayableInWords: amountInWords(totals.totalPayableVnd),
    },
  };
  return { ok: true, document: sign < 0 ? withDecreaseSign(document) : document };
}
