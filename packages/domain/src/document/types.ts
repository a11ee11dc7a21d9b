import type { InvoiceBuyer } from "../events.ts";
import type { LocalDate } from "../local-date.ts";
import type { InvoiceLineInput } from "../vat/totals.ts";
import type { VatPolicy } from "../vat/vat-policy.ts";

/** XML format version (PBan) after Decree 70/2025. */
export const INVOICE_FORMAT_VERSION = "2.1.0";

/** The seller's tax information, snapshotted onto the invoice when it is created and never changed. */
export interface SellerSnapshot {
  name: string;
  taxCode: string;
  address: string;
  phone?: string;
  email?: string;
  bankAccount?: string;
  bankName?: string;
  /** Store / channel code and name (XML `MCHang`, `TCHang`). */
  storeCode?: string;
  storeName?: string;
}

/** The invoice this document adjusts or replaces (XML `TTChung/TTHDLQuan`). */
export interface InvoiceCorrectionInput {
  kind: "replacement" | "adjustment";
  /**
   * For adjustments (default increase). Lines are always given as positive amounts (what changes);
   * a decrease comes out of the builder with every money amount negative, in the JSON document and
   * in the XML.
   */
  direction?: "increase" | "decrease";
  original: { templateCode: string; series: string; invoiceNo: string; invoiceDate: LocalDate };
  note?: string;
}

/** Everything the builder needs, as snapshotted by the issuer for one invoice. */
export interface InvoiceSnapshot {
  orderId: string;
  merchantId: string;
  /** The provider idempotency key of this invoice (10-36 characters, letters, digits, hyphens). */
  transactionUuid: string;
  /** Full symbol, e.g. `1C26TAA`; only template 1 (VAT invoice) is built here. */
  symbol: string;
  invoiceDate: LocalDate;
  /**
   * The date whose VAT rates apply: the sale's tax point (the state machine's `taxPointDate`).
   * Defaults to `correction.original.invoiceDate` for a correction and to `invoiceDate` otherwise;
   * never after either.
   */
  taxPointDate?: LocalDate;
  /** Assigned by the provider; absent on documents built before numbering. */
  invoiceNo?: string | number;
  seller: SellerSnapshot;
  buyer: InvoiceBuyer;
  lines: InvoiceLineInput[];
  /** XML `HTTToan`; defaults to "TM/CK" (cash or transfer). */
  paymentMethod?: string;
  /** Tax code of the e-invoice solution provider (XML `MSTTCGP`), when known. */
  providerTaxCode?: string;
  /**
   * When given, the computed total payable must equal it (for example the amount actually paid);
   * negative for a decrease adjustment.
   */
  expectedTotalVnd?: number;
  vatPolicy?: VatPolicy;
  correction?: InvoiceCorrectionInput;
}

export interface DocumentLine {
  lineNo: number;
  /** XML `TChat`: 1 = goods/services (the only kind built here). */
  nature: 1;
  sku?: string;
  name: string;
  unit?: string;
  quantity: string;
  unitPriceVnd: number;
  discountVnd: number;
  amountBeforeVatVnd: number;
  vatRate: string;
  vatVnd: number;
  totalVnd: number;
}

export interface DocumentVatRow {
  vatRate: string;
  taxed: boolean;
  amountBeforeVatVnd: number;
  vatVnd: number;
  totalVnd: number;
}

/**
 * The canonical invoice document: provider adapters map from it, the XML is rendered from it. Money
 * amounts are signed: all negative (or zero) on a decrease adjustment, never negative otherwise.
 */
export interface InvoiceDocument {
  formatVersion: typeof INVOICE_FORMAT_VERSION;
  /** `Id` of the signed element DLHDon. */
  documentId: string;
  orderId: string;
  merchantId: string;
  transactionUuid: string;
  invoiceName: string;
  templateCode: string;
  series: string;
  symbol: string;
  invoiceNo?: string;
  invoiceDate: LocalDate;
  /** The date the VAT rates were taken from (see InvoiceSnapshot.taxPointDate). */
  taxPointDate: LocalDate;
  currency: "VND";
  paymentMethod: string;
  providerTaxCode?: string;
  correction?: InvoiceCorrectionInput;
  seller: SellerSnapshot;
  buyer: InvoiceBuyer;
  lines: DocumentLine[];
  vatBreakdown: DocumentVatRow[];
  totals: {
    totalDiscountVnd: number;
    totalBeforeVatVnd: number;
    totalVatVnd: number;
    totalPayableVnd: number;
    totalPayableInWords: string;
  };
}

export interface DocumentIssue {
  /** Where in the snapshot, e.g. `seller.taxCode`, `lines[2].quantity`. */
  path: string;
  code: string;
  message: string;
}

export type BuildDocumentResult =
  | { ok: true; document: InvoiceDocument }
  | { ok: false; code: "INVALID_DOCUMENT"; reason: string; issues: DocumentIssue[] };
