import type { InvoiceRecord, OrderState } from "@invoice/domain";
import { describe, expect, it } from "vitest";
import { planInvoiceRows } from "./invoice-rows.ts";
import type { MerchantProfileView } from "./merchant-profile.ts";

const provider = {
  provider: "sinvoice",
  templateCode: "1/001",
  seriesSuffix: "TAA",
  supplierTaxCode: "0100109106",
};
const ids = { next: () => 1n } as never;
const profile = { policy: {}, seller: undefined, provider: undefined } as unknown as MerchantProfileView;

/** A stored row as the store loads it (only the columns planning reads matter). */
function row(status: string, invoiceDate: string, series: string) {
  return {
    id: 42n,
    transactionUuid: "0b0b0b0b-0000-4000-8000-000000000001",
    status,
    buyerNotGetInvoice: true,
    buyerKind: null,
    buyerName: null,
    buyerTaxCode: null,
    buyerAddress: null,
    buyerEmail: null,
    providerInvoiceNo: status === "ISSUED" ? "00000007" : null,
    issuedAt: status === "ISSUED" ? new Date("2026-12-31T10:00:00Z") : null,
    failureReason: null,
    invoiceDate: new Date(`${invoiceDate}T00:00:00+07:00`),
    invoiceSeries: series,
    sellerSnapshot: {},
    providerConfigSnapshot: provider,
    totalAmountWithTax: 330_000n,
    providerReservationCode: null,
  } as never;
}

function stateWith(invoice: Partial<InvoiceRecord>): OrderState {
  return {
    merchantId: "m",
    orderId: "o",
    invoices: [
      {
        seq: 1,
        role: "original",
        transactionUuid: "0b0b0b0b-0000-4000-8000-000000000001",
        buyer: { kind: "anonymous" },
        ...invoice,
      },
    ],
  } as unknown as OrderState;
}

describe("planInvoiceRows: the row's date and series follow the state until it is issued (ADR 0020)", () => {
  it("a send re-dated into the next year moves an unissued row to that day and that year's series", () => {
    const plan = planInvoiceRows([row("ISSUING", "2026-12-31", "C26TAA")], ids, {
      state: stateWith({ status: "issuing", invoiceDate: "2027-01-01" } as Partial<InvoiceRecord>),
      profile,
      attempts: [],
      now: Date.parse("2027-01-01T01:00:00+07:00"),
    });
    expect(plan.updates).toHaveLength(1);
    expect(plan.updates[0]?.invoiceSeries).toBe("C27TAA");
    expect(plan.updates[0]?.invoiceDate?.toISOString()).toBe("2026-12-31T17:00:00.000Z");
    expect(plan.views.get(1)?.series).toBe("C27TAA");
  });

  it("an issued row keeps the date and series it was issued with", () => {
    const plan = planInvoiceRows([row("ISSUED", "2026-12-31", "C26TAA")], ids, {
      state: stateWith({
        status: "issued",
        invoiceNo: "00000007",
        invoiceDate: "2027-01-01",
      } as Partial<InvoiceRecord>),
      profile,
      attempts: [],
      now: Date.parse("2027-01-01T01:00:00+07:00"),
    });
    expect(plan.updates).toHaveLength(0);
    expect(plan.views.get(1)?.series).toBe("C26TAA");
  });

  it("an unchanged unissued row is not written again", () => {
    const plan = planInvoiceRows([row("ISSUING", "2026-12-31", "C26TAA")], ids, {
      state: stateWith({ status: "issuing", invoiceDate: "2026-12-31" } as Partial<InvoiceRecord>),
      profile,
      attempts: [],
      now: Date.parse("2026-12-31T10:00:00+07:00"),
    });
    expect(plan.updates).toHaveLength(0);
  });
});
