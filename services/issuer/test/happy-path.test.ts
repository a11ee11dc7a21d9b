import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_BUYER,
  eventsOf,
  expectDbMatchesProvider,
  type IssuerFixture,
  payment,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

let issuer: IssuerFixture;
beforeAll(async () => {
  issuer = await startIssuer({ ISSUER_DEFAULT_CLAIM_WINDOW_MS: "0" });
});
afterAll(async () => {
  await issuer?.stop();
});

describe("issuer happy paths", () => {
  it("a paid order with a company buyer is issued once, in our DB and at the provider", async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const issued = await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    expect(issued.record.key?.toString()).toBe(order.orderId);
    const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(row.status).toBe("ISSUED");
    expect(row.buyerTaxCode).toBe(COMPANY_BUYER.taxCode);
    expect(row.providerInvoiceNo).toMatch(/^\d{1,8}$/);
    const attempts = await issuer.db.invoiceIssuance.findMany({ where: { invoiceId: row.id } });
    expect(attempts.map((a) => a.outcome)).toEqual(["SUCCEEDED"]);
    const audit = await issuer.db.invoiceAuditTracing.findMany({ where: { orderId: order.orderId } });
    expect(audit.map((a) => a.eventType)).toEqual(expect.arrayContaining(["PaymentSucceeded", "SendResult"]));
    expect(issuer.logs("[handlePaymentSuccess]").length).toBeGreaterThan(0);
    await expectDbMatchesProvider(issuer, order.orderId);
    expect(eventsOf(issuer, order.orderId, "INVOICE_ISSUED")).toHaveLength(1);
  });
});
