import type { SimulatorState } from "./state.ts";
import { providerInvoiceNo, reservationCode, type StoredInvoice } from "./store.ts";

/** Duplicated keys listed in full in a report; `duplicateKeys` always has the total. */
const MAX_DUPLICATES_LISTED = 1_000;

export function invoiceView(invoice: StoredInvoice, nowMs: number) {
  return {
    supplierTaxCode: invoice.series.supplierTaxCode,
    transactionUuid: invoice.transactionUuid,
    templateCode: invoice.series.templateCode,
    invoiceSeries: invoice.series.invoiceSeries,
    invoiceNumber: invoice.number,
    invoiceNo: providerInvoiceNo(invoice),
    numbered: nowMs >= invoice.numberedAtMs,
    issueDate: invoice.issuedAtMs,
    transactionID: String(invoice.transactionId),
    reservationCode: reservationCode(invoice),
    adjustmentType: invoice.adjustmentType,
    buyerTaxCode: invoice.buyerTaxCode ?? null,
    buyerLegalName: invoice.buyerLegalName ?? null,
    /** The provider account (login username) that created it. */
    account: invoice.account,
  };
}

/** GET /admin/report: what was issued, per seller and series, and every key issued more than once. */
export function buildReport(state: SimulatorState) {
  const nowMs = Date.now();
  const sellers: Record<
    string,
    {
      issued: number;
      series: {
        templateCode: string;
        invoiceSeries: string;
        issued: number;
        lastNumber: number;
        lastIssueDate: number;
        /** Invoices created per provider account (login username). */
        accounts: Record<string, number>;
      }[];
    }
  > = {};
  for (const s of state.store.allSeries()) {
    if (s.lastNumber === 0) continue;
    const seller = sellers[s.supplierTaxCode] ?? { issued: 0, series: [] };
    seller.issued += s.lastNumber;
    seller.series.push({
      templateCode: s.templateCode,
      invoiceSeries: s.invoiceSeries,
      // Numbers are handed out one by one from 1, so the count is the last number.
      issued: s.lastNumber,
      lastNumber: s.lastNumber,
      lastIssueDate: s.lastIssuedAtMs,
      accounts: Object.fromEntries(s.byAccount),
    });
    sellers[s.supplierTaxCode] = seller;
  }
  const memory = process.memoryUsage();
  return {
    startedAt: new Date(state.startedAtMs).toISOString(),
    now: new Date(nowMs).toISOString(),
    issued: state.store.issuedCount,
    distinctKeys: state.store.distinctKeys,
    duplicateKeys: state.store.duplicateKeyCount,
    duplicates: state.store.duplicates(MAX_DUPLICATES_LISTED).map((d) => ({
      supplierTaxCode: d.supplierTaxCode,
      transactionUuid: d.transactionUuid,
      count: d.invoices.length,
      invoices: d.invoices.map((i) => invoiceView(i, nowMs)),
    })),
    sellers,
    counters: state.counters,
    outage: state.activeOutage(nowMs)
      ? { mode: state.outage?.mode, until: new Date(state.outage?.untilMs ?? 0).toISOString() }
      : null,
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
  };
}

export type SimulatorReport = ReturnType<typeof buildReport>;
