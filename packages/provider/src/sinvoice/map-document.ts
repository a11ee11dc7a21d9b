import {
  type DocumentLine,
  type DocumentVatRow,
  type InvoiceDocument,
  isValidInstant,
  vietnamDateOf,
} from "@invoice/domain";
import type { IssueRequest } from "../port.ts";
import type {
  SInvoiceBuyerInfo,
  SInvoiceCreateBody,
  SInvoiceGeneralInfo,
  SInvoiceItem,
  SInvoicePayment,
  SInvoiceSellerInfo,
  SInvoiceTaxBreakdown,
} from "./sinvoice-types.ts";

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** 00:00:00 Vietnam time (UTC+7) of a `YYYY-MM-DD` date, as epoch ms. */
export function vietnamMidnight(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) - VIETNAM_OFFSET_MS;
}

/** "dd/mm/yyyy", the way invoice notes print dates. */
function printedDate(date: string): string {
  const [y, m, d] = date.split("-");
  return `${d}/${m}/${y}`;
}

/** SInvoice's taxPercentage for our XML rate label (spec 6.6): KCT -2, KKKNT -1, "KHAC:12.34%" 12.34. */
export function taxPercentage(label: string): number | undefined {
  if (label === "KCT") return -2;
  if (label === "KKKNT") return -1;
  const match = /^(?:KHAC:)?(\d{1,2}(?:\.\d{1,2})?)%$/.exec(label);
  return match ? Number(match[1]) : undefined;
}

/** SInvoice's payment method codes (spec 6.5); anything else is 5 ("other") with the text as its name. */
const PAYMENT_CODES: Record<string, string> = {
  TM: "1",
  CK: "2",
  "TM/CK": "3",
  DTCN: "4",
  KHAC: "5",
  "Tiền mặt": "6",
  "Chuyển khoản": "7",
  "Tiền mặt/Chuyển khoản": "8",
};

/** Phone and account numbers must match `\s*[0-9]*\s*` at SInvoice: keep the digits. */
function digitsOnly(value: string | undefined): string | undefined {
  const digits = value?.replace(/\D/g, "") ?? "";
  return digits === "" ? undefined : digits;
}

const abs = Math.abs;
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function item(line: DocumentLine, adjustment: boolean, decrease: boolean, issues: string[]): SInvoiceItem {
  const rate = taxPercentage(line.vatRate);
  if (rate === undefined)
    issues.push(`lines[${line.lineNo - 1}].vatRate ${line.vatRate} has no SInvoice taxPercentage`);
  const net = abs(line.amountBeforeVatVnd);
  const discount = abs(line.discountVnd);
  // quantity x unitPrice must match itemTotalAmountWithoutTax within 5 VND: it is the amount before
  // the line discount; the VAT is on the amount after it (the spec's discounted-line sample).
  const gross = net + discount;
  const out: SInvoiceItem = {
    lineNumber: line.lineNo,
    selection: 1,
    itemName: line.name,
    unitPrice: abs(line.unitPriceVnd),
    quantity: Number(line.quantity),
    itemTotalAmountWithoutTax: gross,
    taxPercentage: rate ?? 0,
    taxAmount: abs(line.vatVnd),
    discount: gross === 0 ? 0 : round6((discount * 100) / gross),
    itemDiscount: discount,
    itemTotalAmountAfterDiscount: net,
    itemTotalAmountWithTax: abs(line.totalVnd),
  };
  if (line.sku !== undefined) out.itemCode = line.sku;
  if (line.unit !== undefined) out.unitName = line.unit;
  if (adjustment) out.isIncreaseItem = !decrease;
  return out;
}

function breakdown(row: DocumentVatRow, decrease: boolean): SInvoiceTaxBreakdown {
  const out: SInvoiceTaxBreakdown = {
    taxPercentage: taxPercentage(row.vatRate) ?? 0,
    taxableAmount: abs(row.amountBeforeVatVnd),
    taxAmount: abs(row.vatVnd),
  };
  if (decrease) {
    out.taxableAmountPos = false;
    out.taxAmountPos = false;
  }
  return out;
}

function buyerInfo(d: InvoiceDocument, issues: string[]): SInvoiceBuyerInfo {
  const b = d.buyer;
  if (b.kind === "anonymous") return { buyerNotGetInvoice: 1 };
  // buyerAddressLine is mandatory at SInvoice whenever the buyer takes the invoice (spec 6.4).
  if (!b.address) issues.push("buyer.address is required by SInvoice for a buyer who takes the invoice");
  const out: SInvoiceBuyerInfo = { buyerNotGetInvoice: 0 };
  if (b.kind === "company") {
    out.buyerLegalName = b.name;
  } else {
    out.buyerName = b.name;
    // A household or individual business with a tax code: buyerLegalName is required with buyerTaxCode.
    if (b.taxCode) out.buyerLegalName = b.name;
  }
  if (b.taxCode) out.buyerTaxCode = b.taxCode;
  if (b.address) out.buyerAddressLine = b.address;
  if (b.email) out.buyerEmail = b.email;
  if (b.personalId) {
    out.buyerIdType = "1";
    out.buyerIdNo = b.personalId;
  }
  return out;
}

function sellerInfo(d: InvoiceDocument, issues: string[]): SInvoiceSellerInfo {
  const s = d.seller;
  if (s.address.length > 255) issues.push("seller.address is longer than SInvoice's 255 characters");
  const out: SInvoiceSellerInfo = {
    sellerLegalName: s.name,
    sellerTaxCode: s.taxCode,
    sellerAddressLine: s.address,
  };
  const phone = digitsOnly(s.phone);
  const account = digitsOnly(s.bankAccount);
  if (phone) out.sellerPhoneNumber = phone;
  if (s.email) out.sellerEmail = s.email;
  if (s.bankName) out.sellerBankName = s.bankName;
  if (account) out.sellerBankAccount = account;
  if (s.storeCode) out.storeCode = s.storeCode;
  if (s.storeName) out.storeName = s.storeName;
  return out;
}

function generalInfo(request: IssueRequest, issuedAt: number, issues: string[]): SInvoiceGeneralInfo {
  const d = request.document;
  const { templateCode } = request.seller;
  if (!templateCode.startsWith(`${d.templateCode}/`)) {
    issues.push(`seller.templateCode ${templateCode} is not a template of invoice type ${d.templateCode}`);
  }
  const general: SInvoiceGeneralInfo = {
    transactionUuid: d.transactionUuid,
    invoiceType: d.templateCode,
    templateCode,
    invoiceSeries: d.series,
    invoiceIssuedDate: issuedAt,
    currencyCode: "VND",
    exchangeRate: 1,
    adjustmentType: "1",
    paymentStatus: true,
    cusGetInvoiceRight: true,
  };
  const c = d.correction;
  if (!c) return general;
  const o = c.original;
  // Decree 70's wording for the reference line, which SInvoice's API (unlike its web form) does not add.
  const note = `${c.kind === "replacement" ? "Thay thế" : "Điều chỉnh"} cho hóa đơn mẫu số ${o.templateCode}, ký hiệu ${o.series}, số ${o.invoiceNo}, ngày ${printedDate(o.invoiceDate)}`;
  general.adjustmentType = c.kind === "replacement" ? "3" : "5";
  if (c.kind === "adjustment")
    general.adjustmentInvoiceType = request.correction?.adjustmentKind === "info" ? "2" : "1";
  if (c.note) general.adjustedNote = c.note;
  general.invoiceNote = note;
  general.originalInvoiceId = `${o.series}${o.invoiceNo}`;
  general.originalInvoiceIssueDate = request.correction?.originalIssuedAt ?? vietnamMidnight(o.invoiceDate);
  const agreement = request.correction?.agreement;
  general.additionalReferenceDesc = (agreement?.description ?? c.note ?? note).slice(0, 225);
  general.additionalReferenceDate = agreement?.date ?? issuedAt;
  return general;
}

export type MapResult = { ok: true; body: SInvoiceCreateBody } | { ok: false; issues: string[] };

/**
 * Our invoice document as SInvoice's createInvoice JSON (field by field in the README's mapping
 * table). Pure. Refuses (issues) what SInvoice cannot take, so it is refused before sending:
 * a permanent, certainly-not-created failure rather than a provider round trip.
 */
export function mapDocument(request: IssueRequest): MapResult {
  const d = request.document;
  const issues: string[] = [];
  if (request.idempotencyKey !== d.transactionUuid)
    issues.push("idempotencyKey differs from document.transactionUuid");
  if (request.seller.supplierTaxCode !== d.seller.taxCode) {
    issues.push(
      "seller.supplierTaxCode differs from the document's seller tax code (SInvoice requires them equal)",
    );
  }
  const issuedAt = Math.floor((request.issuedAt ?? vietnamMidnight(d.invoiceDate)) / 1000) * 1000;
  if (!isValidInstant(issuedAt) || vietnamDateOf(issuedAt) !== d.invoiceDate) {
    issues.push(`issuedAt must fall on the invoice date ${d.invoiceDate} (Vietnam time)`);
  }
  const adjustment = d.correction?.kind === "adjustment";
  const decrease = adjustment && d.correction?.direction === "decrease";
  const itemInfo = d.lines.map((line) => item(line, adjustment, decrease, issues));
  const payment: SInvoicePayment = {
    paymentMethod: PAYMENT_CODES[d.paymentMethod] ?? "5",
    paymentMethodName: d.paymentMethod,
  };
  const t = d.totals;
  const body: SInvoiceCreateBody = {
    generalInvoiceInfo: generalInfo(request, issuedAt, issues),
    buyerInfo: buyerInfo(d, issues),
    sellerInfo: sellerInfo(d, issues),
    payments: [payment],
    itemInfo,
    taxBreakdowns: d.vatBreakdown.map((row) => breakdown(row, decrease)),
    summarizeInfo: {
      sumOfTotalLineAmountWithoutTax: itemInfo.reduce((sum, i) => sum + i.itemTotalAmountWithoutTax, 0),
      totalAmountWithoutTax: abs(t.totalBeforeVatVnd),
      totalTaxAmount: abs(t.totalVatVnd),
      totalAmountWithTax: abs(t.totalPayableVnd),
      totalAmountAfterDiscount: abs(t.totalBeforeVatVnd),
      totalAmountWithTaxInWords: t.totalPayableInWords,
      discountAmount: abs(t.totalDiscountVnd),
    },
  };
  if (decrease) {
    Object.assign(body.summarizeInfo, {
      isTotalAmountPos: false,
      isTotalTaxAmountPos: false,
      isTotalAmtWithoutTaxPos: false,
      isDiscountAmtPos: false,
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, body };
}
