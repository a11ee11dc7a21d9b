/**
 * What the simulated provider has issued, in memory. Sized for benchmark runs: one invoice costs a
 * small object (the series strings are shared through `SeriesState`, the transaction id and the
 * reservation code are numbers formatted on output) plus one map entry keyed by the request's own
 * transactionUuid string — about 200 bytes, so 100,000 invoices take about 20 MB (measured figure in
 * the README).
 */

/** SInvoice stops at the 8-digit limit of the invoice number (XML `SHDon`). */
export const MAX_INVOICE_NUMBER = 99_999_999;

/** One (seller tax code, template, series): numbering and the date-order rule are per this triple. */
export interface SeriesState {
  supplierTaxCode: string;
  templateCode: string;
  invoiceSeries: string;
  /** Last number handed out (0 before the first invoice). */
  lastNumber: number;
  /** invoiceIssuedDate of the last invoice, epoch ms truncated to seconds (the spec's precision). */
  lastIssuedAtMs: number;
  /** Invoices created per provider account (the username of the token that created them). */
  byAccount: Map<string, number>;
}

export interface StoredInvoice {
  series: SeriesState;
  transactionUuid: string;
  number: number;
  issuedAtMs: number;
  /** SInvoice's `transactionID` (a numeric id), kept as a number. */
  transactionId: number;
  /** Source of the reservation code (mã số bí mật), formatted as 10 base-36 characters. */
  reservationSeed: number;
  /** "1" original, "3" replacement, "5" adjustment. */
  adjustmentType: "1" | "3" | "5";
  adjustmentInvoiceType?: "1" | "2";
  /** Epoch ms from which the number is visible (later than creation under asynchronous numbering). */
  numberedAtMs: number;
  /** The provider account (login username) whose token created it; the string is the token's own. */
  account: string;
  /** Only when the request named them (company buyers): anonymous invoices cost no memory for them. */
  buyerTaxCode?: string;
  buyerLegalName?: string;
}

export function providerInvoiceNo(invoice: StoredInvoice): string {
  return `${invoice.series.invoiceSeries}${invoice.number}`;
}

export function reservationCode(invoice: StoredInvoice): string {
  return invoice.reservationSeed.toString(36).toUpperCase().padStart(10, "0").slice(-10);
}

export type DateCheck =
  | { ok: true }
  | { ok: false; code: "INVOICE_ISSUED_DATE_INVALID" | "INVOICE_NUMBER_EXHAUSTED"; message: string };

export class InvoiceStore {
  /** seller tax code -> transactionUuid -> invoice, or every invoice of that key when it was duplicated. */
  private readonly byKey = new Map<string, Map<string, StoredInvoice | StoredInvoice[]>>();
  private readonly seriesByKey = new Map<string, SeriesState>();
  /** "taxCode\ntransactionUuid" of every key issued more than once. */
  private readonly duplicated = new Set<string>();
  private transactionCounter = 0;
  issuedCount = 0;
  distinctKeys = 0;

  constructor(private readonly random: () => number) {}

  /** Invoices already issued under a key (empty when none). */
  find(supplierTaxCode: string, transactionUuid: string): StoredInvoice[] {
    const entry = this.byKey.get(supplierTaxCode)?.get(transactionUuid);
    if (entry === undefined) return [];
    return Array.isArray(entry) ? entry : [entry];
  }

  series(supplierTaxCode: string, templateCode: string, invoiceSeries: string): SeriesState {
    const key = `${supplierTaxCode}\n${templateCode}\n${invoiceSeries}`;
    let state = this.seriesByKey.get(key);
    if (state === undefined) {
      state = {
        supplierTaxCode,
        templateCode,
        invoiceSeries,
        lastNumber: 0,
        lastIssuedAtMs: 0,
        byAccount: new Map(),
      };
      this.seriesByKey.set(key, state);
    }
    return state;
  }

  /** Whether invoice `number` of `invoiceSeries` exists for the seller, in any template. */
  hasInvoice(supplierTaxCode: string, invoiceSeries: string, number: number): boolean {
    for (const state of this.seriesByKey.values()) {
      if (state.supplierTaxCode !== supplierTaxCode || state.invoiceSeries !== invoiceSeries) continue;
      if (number >= 1 && number <= state.lastNumber) return true;
    }
    return false;
  }

  /** The date-order rule: within a series an invoice is never dated before the previous one. */
  checkDate(series: SeriesState, issuedAtMs: number): DateCheck {
    if (series.lastNumber >= MAX_INVOICE_NUMBER) {
      return { ok: false, code: "INVOICE_NUMBER_EXHAUSTED", message: "series has used all 8-digit numbers" };
    }
    if (issuedAtMs < series.lastIssuedAtMs) {
      return {
        ok: false,
        code: "INVOICE_ISSUED_DATE_INVALID",
        message: `Ngày lập hóa đơn ${new Date(issuedAtMs).toISOString()} nhỏ hơn ngày lập của hóa đơn gần nhất ${new Date(series.lastIssuedAtMs).toISOString()} (ký hiệu ${series.invoiceSeries})`,
      };
    }
    return { ok: true };
  }

  /** Numbers and stores an invoice; the caller has checked the date with {@link checkDate}. */
  insert(
    series: SeriesState,
    fields: Pick<
      StoredInvoice,
      | "transactionUuid"
      | "issuedAtMs"
      | "adjustmentType"
      | "adjustmentInvoiceType"
      | "buyerTaxCode"
      | "buyerLegalName"
      | "account"
    >,
    nowMs: number,
    numberedAtMs: number,
  ): StoredInvoice {
    series.lastNumber += 1;
    series.lastIssuedAtMs = Math.max(series.lastIssuedAtMs, fields.issuedAtMs);
    series.byAccount.set(fields.account, (series.byAccount.get(fields.account) ?? 0) + 1);
    this.transactionCounter += 1;
    const invoice: StoredInvoice = {
      series,
      transactionUuid: fields.transactionUuid,
      number: series.lastNumber,
      issuedAtMs: fields.issuedAtMs,
      // An 18-digit id like SInvoice's ("168378907853232661"): creation time and a counter.
      transactionId: nowMs * 100_000 + (this.transactionCounter % 100_000),
      reservationSeed: Math.floor(this.random() * 36 ** 10),
      adjustmentType: fields.adjustmentType,
      numberedAtMs,
      account: fields.account,
    };
    if (fields.adjustmentInvoiceType !== undefined)
      invoice.adjustmentInvoiceType = fields.adjustmentInvoiceType;
    if (fields.buyerTaxCode !== undefined) invoice.buyerTaxCode = fields.buyerTaxCode;
    if (fields.buyerLegalName !== undefined) invoice.buyerLegalName = fields.buyerLegalName;
    let keys = this.byKey.get(series.supplierTaxCode);
    if (keys === undefined) {
      keys = new Map();
      this.byKey.set(series.supplierTaxCode, keys);
    }
    const existing = keys.get(invoice.transactionUuid);
    if (existing === undefined) {
      keys.set(invoice.transactionUuid, invoice);
      this.distinctKeys += 1;
    } else {
      keys.set(
        invoice.transactionUuid,
        Array.isArray(existing) ? [...existing, invoice] : [existing, invoice],
      );
      this.duplicated.add(`${series.supplierTaxCode}\n${invoice.transactionUuid}`);
    }
    this.issuedCount += 1;
    return invoice;
  }

  /** Every key issued more than once, with its invoices (at most `limit` keys). */
  duplicates(
    limit: number,
  ): { supplierTaxCode: string; transactionUuid: string; invoices: StoredInvoice[] }[] {
    const out = [];
    for (const key of this.duplicated) {
      if (out.length >= limit) break;
      const [supplierTaxCode = "", transactionUuid = ""] = key.split("\n");
      out.push({ supplierTaxCode, transactionUuid, invoices: this.find(supplierTaxCode, transactionUuid) });
    }
    return out;
  }

  get duplicateKeyCount(): number {
    return this.duplicated.size;
  }

  allSeries(): SeriesState[] {
    return [...this.seriesByKey.values()];
  }

  /**
   * Every invoice of one series of a seller (any template), in number order: what a test reads to
   * check that dates never go backwards. A scan of the seller's keys, for the admin API only.
   */
  seriesInvoices(supplierTaxCode: string, invoiceSeries: string): StoredInvoice[] {
    const out: StoredInvoice[] = [];
    for (const entry of this.byKey.get(supplierTaxCode)?.values() ?? []) {
      for (const invoice of Array.isArray(entry) ? entry : [entry]) {
        if (invoice.series.invoiceSeries === invoiceSeries) out.push(invoice);
      }
    }
    return out.sort(
      (a, b) => a.series.templateCode.localeCompare(b.series.templateCode) || a.number - b.number,
    );
  }
}
