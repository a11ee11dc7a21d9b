/**
 * The parts of SInvoice's createInvoice JSON (spec section 6) that we send. Field names are
 * SInvoice's; money is whole VND and never negative — a decrease is said by `isIncreaseItem: false`
 * and the `...Pos: false` flags.
 */

export interface SInvoiceGeneralInfo {
  transactionUuid: string;
  /** "1" = VAT invoice (TT78 template digit). */
  invoiceType: string;
  /** Template code registered at SInvoice, e.g. "1/001". */
  templateCode: string;
  /** Ký hiệu hóa đơn, e.g. "C26TAA". */
  invoiceSeries: string;
  /** Epoch ms, seconds precision (spec 5.1). */
  invoiceIssuedDate: number;
  currencyCode: "VND";
  exchangeRate: 1;
  /** 1 original, 3 replacement, 5 adjustment. */
  adjustmentType: "1" | "3" | "5";
  /** 1 money, 2 information; only with adjustmentType 5. */
  adjustmentInvoiceType?: "1" | "2";
  adjustedNote?: string;
  invoiceNote?: string;
  originalInvoiceId?: string;
  originalInvoiceIssueDate?: number;
  additionalReferenceDesc?: string;
  additionalReferenceDate?: number;
  paymentStatus: boolean;
  cusGetInvoiceRight: boolean;
}

export interface SInvoiceSellerInfo {
  sellerLegalName: string;
  sellerTaxCode: string;
  sellerAddressLine: string;
  sellerPhoneNumber?: string;
  sellerEmail?: string;
  sellerBankName?: string;
  sellerBankAccount?: string;
  storeCode?: string;
  storeName?: string;
}

export interface SInvoiceBuyerInfo {
  buyerName?: string;
  buyerLegalName?: string;
  buyerTaxCode?: string;
  buyerAddressLine?: string;
  buyerEmail?: string;
  /** "1" = CCCD (citizen identity card), "2" = passport. */
  buyerIdType?: "1" | "2";
  buyerIdNo?: string;
  /** 1 = the buyer does not take an invoice (anonymous retail buyer), 0 otherwise. */
  buyerNotGetInvoice: 0 | 1;
}

export interface SInvoicePayment {
  /** 1 TM, 2 CK, 3 TM/CK, 4 DTCN, 5 other (free text in paymentMethodName). */
  paymentMethod: string;
  paymentMethodName: string;
}

export interface SInvoiceItem {
  lineNumber: number;
  /** 1 = goods / service. */
  selection: 1;
  itemCode?: string;
  itemName: string;
  unitName?: string;
  unitPrice: number;
  quantity: number;
  /** quantity x unitPrice (before the line discount), within 5 VND. */
  itemTotalAmountWithoutTax: number;
  /** -2 KCT, -1 KKKNT, 0, 5, 8, 10, or another rate in percent. */
  taxPercentage: number;
  taxAmount: number;
  /** Line discount in percent of the amount (informative; itemDiscount is the amount). */
  discount: number;
  itemDiscount: number;
  itemTotalAmountAfterDiscount: number;
  itemTotalAmountWithTax: number;
  /** Adjustments only: true = increase, false = decrease. */
  isIncreaseItem?: boolean;
}

export interface SInvoiceTaxBreakdown {
  taxPercentage: number;
  taxableAmount: number;
  taxAmount: number;
  taxableAmountPos?: false;
  taxAmountPos?: false;
}

export interface SInvoiceSummary {
  sumOfTotalLineAmountWithoutTax: number;
  totalAmountWithoutTax: number;
  totalTaxAmount: number;
  totalAmountWithTax: number;
  totalAmountAfterDiscount: number;
  totalAmountWithTaxInWords: string;
  discountAmount: number;
  isTotalAmountPos?: false;
  isTotalTaxAmountPos?: false;
  isTotalAmtWithoutTaxPos?: false;
  isDiscountAmtPos?: false;
}

export interface SInvoiceCreateBody {
  generalInvoiceInfo: SInvoiceGeneralInfo;
  buyerInfo: SInvoiceBuyerInfo;
  sellerInfo: SInvoiceSellerInfo;
  payments: SInvoicePayment[];
  itemInfo: SInvoiceItem[];
  taxBreakdowns: SInvoiceTaxBreakdown[];
  summarizeInfo: SInvoiceSummary;
}
