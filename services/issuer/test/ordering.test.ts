/**
 * Retries never reorder an order's events (ADR 0017): a later event (a full refund, a buyer change)
 * that arrives while the order's send is parked on the retry topic is applied at once to the state,
 * and the parked send, when it falls due, is decided against that state.
 */
import { type RunningSimulator, startSimulator } from "@invoice/provider-simulator";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AMOUNT_VND,
  COMPANY_BUYER,
  eventsOf,
  expectDbMatchesProvider,
  INDIVIDUAL_BUYER,
  type IssuerFixture,
  invoiceRequest,
  payment,
  refund,
  SELLER_TAX_CODE,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

let sim: RunningSimulator;
let issuer: IssuerFixture;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  // Retries every 2-4 s: room for the later event to arrive while the send is parked.
  issuer = await startIssuer(
    { ISSUER_RETRY_BASE_MS: "4000", ISSUER_RETRY_MAX_MS: "4000", ISSUER_MAX_SEND_RETRIES: "10" },
    sim,
  );
});
afterAll(async () => {
  await issuer?.stop();
  await sim?.close();
});

const newOrder = () => ({ orderId: uniqueOrder(), merchantId: uniqueMerchant() });
const parked = (orderId: string) =>
  waitFor(() => issuer.logs("[_handleIssuanceFailure] Scheduling retry").find((l) => l.orderId === orderId), {
    timeoutMs: 60_000,
    description: "the send parked on the retry topic",
  });

describe("a later event while an earlier one is in retry", () => {
  it("a full refund cancels the parked send: nothing is ever issued for the order", async () => {
    sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 1 } });
    const order = newOrder();
    try {
      await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
      await parked(order.orderId);
      await issuer.send(refund(order, AMOUNT_VND, true));
      await waitForEvent(issuer, order.orderId, "ISSUANCE_CANCELLED");
    } finally {
      sim.configure({ errors: { rate: 0 } });
    }
    // The parked wake-up falls due after the refund and must not send.
    await waitFor(
      async () =>
        (await issuer.db.invoiceAuditTracing.count({
          where: { orderId: order.orderId, eventType: "WakeUp" },
        })) > 0,
      { timeoutMs: 60_000, description: "the parked wake-up decided" },
    );
    const [row] = await issuer.db.invoice.findMany({ where: { orderId: order.orderId } });
    expect(row?.status).toBe("FAILED");
    expect(sim.invoices(SELLER_TAX_CODE, row?.transactionUuid ?? "")).toHaveLength(0);
    expect(eventsOf(issuer, order.orderId, "INVOICE_ISSUED")).toHaveLength(0);
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("a newer buyer change while the send is parked: one invoice, and the provider holds what our DB says", async () => {
    sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 1 } });
    const order = newOrder();
    try {
      await issuer.send(payment(order, { buyer: INDIVIDUAL_BUYER, paidAt: Date.now() - 10_000 }));
      await parked(order.orderId);
      await issuer.send(invoiceRequest(order, COMPANY_BUYER, Date.now()));
      await waitFor(
        async () =>
          (await issuer.db.invoiceAuditTracing.count({
            where: { orderId: order.orderId, eventType: "InvoiceRequested" },
          })) > 0,
        { description: "the request applied while the send is parked" },
      );
    } finally {
      sim.configure({ errors: { rate: 0 } });
    }
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED", 60_000);
    const rows = await issuer.db.invoice.findMany({ where: { orderId: order.orderId, kind: "ORIGINAL" } });
    expect(rows).toHaveLength(1);
    const held = sim.invoices(SELLER_TAX_CODE, rows[0]?.transactionUuid ?? "");
    expect(held).toHaveLength(1);
    // What was sent (the attempt log of the successful send) names the buyer our row names, and the
    // provider's number is ours.
    const sent = await issuer.db.invoiceIssuance.findFirstOrThrow({
      where: { invoiceId: rows[0]?.id, operation: "ISSUE", outcome: "SUCCEEDED" },
    });
    expect(JSON.stringify(sent.requestPayload)).toContain(rows[0]?.buyerName ?? "missing");
    expect(String((held[0] as { invoiceNumber: number }).invoiceNumber)).toBe(rows[0]?.providerInvoiceNo);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});
