/**
 * The checks SInvoice makes on a createInvoice body that matter to an integration, from the spec
 * (sections 6.2-6.8 and the error table of section 8). Codes the spec names are used as is
 * (VAT_PERCENTAGE_INVALID, VAT_AMOUNT_INVALID, VAT_TAX_AMOUNT_NEGATE,
 * IVI_TOTAL_A_WITHOUT_TAX_AND_UP_QUAN_NOT_COMPARED, JSON_PARSE_ERROR); the others are ours, named in the
 * spec's style, and listed in the README. Cheap on purpose: a few passes over the lines.
 */

export interface ParsedInvoice {
  transactionUuid: string;
  templateCode: string;
  invoiceSeries: string;
  /** invoiceIssuedDate truncated to seconds; undefined when not sent (the provider uses "now"). */
  issuedAtMs: number | undefined;
  adjustmentType: "1" | "3" | "5";
  adjustmentInvoiceType?: "1" | "2";
  /** For corrections: the corrected invoice, parsed from `originalInvoiceId` ("C26TAA12"). */
  original?: { invoiceSeries: string; number: number };
  /** The buyer's MST and legal name (tên đơn vị) when sent: what a test checks the invoice went to. */
  buyerTaxCode?: string;
  buyerLegalName?: string;
}

export type Validation = { ok: true; invoice: ParsedInvoice } | { ok: false; code: string; message: string };

type Json = Record<string, unknown>;

const STANDARD_RATES = new Set([-2, -1, 0, 5, 8, 10]);
const SERIES = /^[a-zA-Z0-9/]{1,25}$/;
const ORIGINAL_ID = /^([CK]\d{2}[A-Z]{3})(\d{1,8})$/;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const text = (v: unknown): v is string => typeof v === "string" && v.trim().length > 0;

function fail(code: string, message: string): Validation {
  return { ok: false, code, message };
}

function checkGeneral(g: Json): Validation | ParsedInvoice {
  const uuid = g.transactionUuid;
  if (typeof uuid !== "string" || uuid.length < 10 || uuid.length > 36) {
    return fail("TRANSACTION_UUID_INVALID", "transactionUuid là bắt buộc, 10-36 ký tự");
  }
  if (!text(g.templateCode) || g.templateCode.length > 20)
    return fail("TEMPLATE_CODE_INVALID", "templateCode");
  if (typeof g.invoiceSeries !== "string" || !SERIES.test(g.invoiceSeries)) {
    return fail("INVOICE_SERIES_INVALID", "invoiceSeries phải khớp ^[a-zA-Z0-9/]*$, tối đa 25 ký tự");
  }
  if (typeof g.currencyCode !== "string" || !/^[A-Z]{3}$/.test(g.currencyCode)) {
    return fail("CURRENCY_CODE_INVALID", "currencyCode phải là 3 chữ in hoa");
  }
  if (typeof g.paymentStatus !== "boolean")
    return fail("PAYMENT_STATUS_INVALID", "paymentStatus là bắt buộc");
  const issued = g.invoiceIssuedDate;
  if (issued !== undefined && issued !== null && (!isNumber(issued) || issued < 0)) {
    return fail("INVOICE_ISSUED_DATE_INVALID", "invoiceIssuedDate phải là thời gian dạng milliseconds");
  }
  const adjustmentType = g.adjustmentType ?? "1";
  if (adjustmentType !== "1" && adjustmentType !== "3" && adjustmentType !== "5") {
    return fail("ADJUSTMENT_TYPE_INVALID", "adjustmentType chỉ nhận 1, 3, 5");
  }
  const parsed: ParsedInvoice = {
    transactionUuid: uuid,
    templateCode: g.templateCode,
    invoiceSeries: g.invoiceSeries,
    issuedAtMs: isNumber(issued) ? Math.floor(issued / 1000) * 1000 : undefined,
    adjustmentType,
  };
  if (adjustmentType === "1") return parsed;
  if (adjustmentType === "5") {
    if (g.adjustmentInvoiceType !== "1" && g.adjustmentInvoiceType !== "2") {
      return fail(
        "ADJUSTMENT_INVOICE_TYPE_INVALID",
        "adjustmentInvoiceType bắt buộc (1 hoặc 2) khi adjustmentType = 5",
      );
    }
    parsed.adjustmentInvoiceType = g.adjustmentInvoiceType;
  }
  const original = typeof g.originalInvoiceId === "string" ? ORIGINAL_ID.exec(g.originalInvoiceId) : null;
  if (!original)
    return fail("ORIGINAL_INVOICE_ID_INVALID", "originalInvoiceId bắt buộc khi thay thế/điều chỉnh");
  if (!isNumber(g.originalInvoiceIssueDate)) {
    return fail("ORIGINAL_INVOICE_ISSUE_DATE_INVALID", "originalInvoiceIssueDate bắt buộc");
  }
  if (!text(g.additionalReferenceDesc) || !isNumber(g.additionalReferenceDate)) {
    return fail(
      "ADDITIONAL_REFERENCE_INVALID",
      "additionalReferenceDesc/Date bắt buộc khi thay thế/điều chỉnh",
    );
  }
  parsed.original = { invoiceSeries: original[1] ?? "", number: Number(original[2]) };
  return parsed;
}

function checkParties(body: Json, supplierTaxCode: string): Validation | undefined {
  const seller = body.sellerInfo;
  if (isObject(seller) && seller.sellerTaxCode !== undefined) {
    if (seller.sellerTaxCode !== supplierTaxCode) {
      return fail("SELLER_TAX_CODE_INVALID", "sellerTaxCode phải trùng khớp với mã số thuế phát hành");
    }
    if (!text(seller.sellerLegalName) || !text(seller.sellerAddressLine)) {
      return fail(
        "SELLER_INFO_INVALID",
        "sellerLegalName và sellerAddressLine là bắt buộc khi truyền sellerTaxCode",
      );
    }
  }
  const buyer = isObject(body.buyerInfo) ? body.buyerInfo : {};
  const notGet = buyer.buyerNotGetInvoice ?? 0;
  if (notGet !== 0 && notGet !== 1)
    return fail("BUYER_NOT_GET_INVOICE_INVALID", "buyerNotGetInvoice chỉ nhận 0, 1");
  if (notGet === 0) {
    if (!text(buyer.buyerName) && !text(buyer.buyerLegalName)) {
      return fail(
        "BUYER_NAME_REQUIRED",
        "Tên người mua hoặc tên đơn vị là bắt buộc khi buyerNotGetInvoice = 0",
      );
    }
    if (!text(buyer.buyerAddressLine)) {
      return fail("BUYER_ADDRESS_REQUIRED", "buyerAddressLine bắt buộc khi buyerNotGetInvoice = 0");
    }
  }
  if (text(buyer.buyerTaxCode) && !text(buyer.buyerLegalName)) {
    return fail("BUYER_LEGAL_NAME_REQUIRED", "buyerLegalName bắt buộc nếu truyền buyerTaxCode");
  }
  const payments = body.payments;
  if (
    !Array.isArray(payments) ||
    payments.length === 0 ||
    !payments.every((p) => isObject(p) && text(p.paymentMethodName))
  ) {
    return fail("PAYMENT_METHOD_NAME_REQUIRED", "paymentMethodName là bắt buộc");
  }
  return undefined;
}

/** Signed after-discount amount and VAT per rate, from the lines. */
function checkItems(items: unknown): Validation | Map<number, { amount: number; vat: number }> {
  if (!Array.isArray(items) || items.length === 0) return fail("ITEM_INFO_REQUIRED", "itemInfo là bắt buộc");
  const perRate = new Map<number, { amount: number; vat: number }>();
  for (const item of items) {
    if (!isObject(item)) return fail("JSON_PARSE_ERROR", "itemInfo phải là danh sách đối tượng");
    const selection = item.selection ?? 1;
    if (selection === 2) continue; // a note line carries no money
    const { quantity, unitPrice, itemTotalAmountWithoutTax: amount, taxPercentage, taxAmount } = item;
    if (!isNumber(amount)) return fail("ITEM_TOTAL_AMOUNT_INVALID", "itemTotalAmountWithoutTax là bắt buộc");
    if (selection === 1 || selection === 5) {
      if (!text(item.itemName) || !isNumber(quantity) || !isNumber(unitPrice)) {
        return fail("ITEM_INFO_INVALID", "itemName, quantity, unitPrice bắt buộc với hàng hóa");
      }
      if (Math.abs(quantity * unitPrice - amount) > 5) {
        return fail(
          "IVI_TOTAL_A_WITHOUT_TAX_AND_UP_QUAN_NOT_COMPARED",
          "Đơn giá nhân thành tiền không so khớp",
        );
      }
    }
    const discount = isNumber(item.itemDiscount) ? item.itemDiscount : 0;
    const afterDiscount = isNumber(item.itemTotalAmountAfterDiscount)
      ? item.itemTotalAmountAfterDiscount
      : amount - discount;
    const vat = isNumber(taxAmount) ? taxAmount : 0;
    if (amount < 0 || discount < 0 || afterDiscount < 0 || vat < 0) {
      return fail("VAT_TAX_AMOUNT_NEGATE", "Tiền thuế không được nhập giá trị âm");
    }
    const rate = isNumber(taxPercentage) ? taxPercentage : -2;
    if (!STANDARD_RATES.has(rate) && !(rate > 0 && rate < 100)) {
      return fail("VAT_PERCENTAGE_INVALID", "Thuế GTGT( %) không hợp lệ");
    }
    if (Math.abs(vat - (rate > 0 ? (afterDiscount * rate) / 100 : 0)) > 1) {
      return fail("VAT_AMOUNT_INVALID", "Tiền thuế không hợp lệ");
    }
    // Discount lines (selection 3) and decreasing lines of an adjustment subtract.
    const sign = selection === 3 || item.isIncreaseItem === false ? -1 : 1;
    const row = perRate.get(rate) ?? { amount: 0, vat: 0 };
    row.amount += sign * afterDiscount;
    row.vat += sign * vat;
    perRate.set(rate, row);
  }
  return perRate;
}

function checkBreakdowns(breakdowns: unknown, perRate: Map<number, { amount: number; vat: number }>) {
  if (breakdowns === undefined) return undefined;
  if (!Array.isArray(breakdowns)) return fail("JSON_PARSE_ERROR", "taxBreakdowns phải là danh sách");
  const seen = new Set<number>();
  for (const row of breakdowns) {
    if (!isObject(row) || !isNumber(row.taxPercentage))
      return fail("VAT_PERCENTAGE_INVALID", "taxBreakdowns.taxPercentage");
    if (seen.has(row.taxPercentage))
      return fail("TAX_BREAKDOWN_DUPLICATED", "Mỗi mức thuế chỉ xuất hiện 1 lần");
    seen.add(row.taxPercentage);
    const lines = perRate.get(row.taxPercentage) ?? { amount: 0, vat: 0 };
    const taxable =
      (isNumber(row.taxableAmount) ? row.taxableAmount : 0) * (row.taxableAmountPos === false ? -1 : 1);
    const vat = (isNumber(row.taxAmount) ? row.taxAmount : 0) * (row.taxAmountPos === false ? -1 : 1);
    if (Math.abs(taxable - lines.amount) > 1) {
      return fail("TAXABLE_AMOUNT_INVALID", "taxableAmount không khớp tổng tiền hàng cùng thuế suất");
    }
    // The spec allows 20,000 VND between the given and the computed VAT of a rate.
    if (Math.abs(vat - lines.vat) > 20_000) return fail("VAT_AMOUNT_INVALID", "Tiền thuế không hợp lệ");
  }
  return undefined;
}

/** Validates a createInvoice body for `supplierTaxCode` (the path's MST). */
export function validateInvoice(body: unknown, supplierTaxCode: string): Validation {
  if (!isObject(body) || !isObject(body.generalInvoiceInfo)) {
    return fail("JSON_PARSE_ERROR", "Lỗi định dạng dữ liệu truyền vào");
  }
  const general = checkGeneral(body.generalInvoiceInfo);
  if ("ok" in general) return general;
  const parties = checkParties(body, supplierTaxCode);
  if (parties) return parties;
  const perRate = checkItems(body.itemInfo);
  if (!(perRate instanceof Map)) return perRate;
  const breakdowns = checkBreakdowns(body.taxBreakdowns, perRate);
  if (breakdowns) return breakdowns;
  const buyer = isObject(body.buyerInfo) ? body.buyerInfo : {};
  if (text(buyer.buyerTaxCode)) general.buyerTaxCode = buyer.buyerTaxCode;
  if (text(buyer.buyerLegalName)) general.buyerLegalName = buyer.buyerLegalName;
  return { ok: true, invoice: general };
}
