/**
 * Order flows on the test's own simulator: each buyer case, payment before request and the reverse,
 * duplicates, replays, refunds before and after issuance. Each ends with the database checked
 * against the simulator (one invoice per key, none missing).
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

/** Where this file's claim links point (ClaimOpened.claimUrl = this + token). */
const CLAIM_LINKS = "https://hoadon.example.vn/c/";

let sim: RunningSimulator;
let issuer: IssuerFixture;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  issuer = await startIssuer({ CLAIMS_LINK_BASE_URL: CLAIM_LINKS }, sim); // default claim window: 24 h
});
afterAll(async () => {
  await issuer?.stop();
  await sim?.close();
});

const newOrder = () => ({ orderId: uniqueOrder(), merchantId: uniqueMerchant() });
const invoicesOf = (orderId: string) =>
  issuer.db.invoice.findMany({ where: { orderId }, orderBy: { createdAt: "asc" } });

describe("buyer cases", () => {
  it("company buyer on the payment", async () => {
    const order = newOrder();
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const [row] = await invoicesOf(order.orderId);
    expect(row?.buyerKind).toBe("COMPANY");
    expect(row?.buyerTaxCode).toBe(COMPANY_BUYER.taxCode);
    const held = sim.invoices(SELLER_TAX_CODE, row?.transactionUuid ?? "");
    expect(held).toHaveLength(1);
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("individual buyer on the payment", async () => {
    const order = newOrder();
    await issuer.send(payment(order, { buyer: INDIVIDUAL_BUYER }));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const [row] = await invoicesOf(order.orderId);
    expect(row?.buyerKind).toBe("INDIVIDUAL");
    expect(row?.buyerName).toBe(INDIVIDUAL_BUYER.name);
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("anonymous buyer: a merchant without claims (window 0) is invoiced to the retail buyer at once", async () => {
    const order = newOrder();
    await issuer.db.merchantProfile.create({
      data: { merchantId: order.merchantId, claimWindowSeconds: 0, provider: "sinvoice" },
    });
    await issuer.send(payment(order));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const [row] = await invoicesOf(order.orderId);
    expect(row?.buyerNotGetInvoice).toBe(true);
    expect(eventsOf(issuer, order.orderId, "CLAIM_OPENED")).toHaveLength(0);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});

describe("arrival order", () => {
  it("payment first (claim opened, Claim row written), then the request: issued to the requester", async () => {
    const order = newOrder();
    const paid = payment(order, { paidAt: Date.now() - 5_000 });
    await issuer.send(paid);
    const opened = await waitForEvent(issuer, order.orderId, "CLAIM_OPENED");
    const claim = await waitFor(
      async () => (await issuer.db.claim.findFirst({ where: { orderId: order.orderId } })) ?? undefined,
      {
        description: "Claim row",
      },
    );
    expect(claim.status).toBe("OPEN");
    // The link commerce prints: the configured base URL and this claim's token.
    expect(opened.value.payload).toEqual({
      "vn.invoice.events.ClaimOpened": {
        claimToken: claim.token,
        claimDeadline: paid.occurredAt + 86_400_000,
        claimUrl: `${CLAIM_LINKS}${claim.token}`,
      },
    });
    expect(Number(claim.orderAmountVnd)).toBe(AMOUNT_VND);
    expect(claim.claimDeadline.getTime()).toBe(paid.occurredAt + 86_400_000);
    await issuer.send(invoiceRequest(order, COMPANY_BUYER, Date.now()));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const [row] = await invoicesOf(order.orderId);
    expect(row?.buyerTaxCode).toBe(COMPANY_BUYER.taxCode);
    const closed = await issuer.db.claim.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(closed.closedReason).toBe("REQUESTED");
    expect(closed.status).toBe("CANCELLED");
    expect(closed.invoiceId).toBe(row?.id);
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("request first, then the payment: issued to the requester, no claim", async () => {
    const order = newOrder();
    await issuer.send(invoiceRequest(order, COMPANY_BUYER, Date.now() - 10_000));
    await waitFor(() => issuer.logs("[handlePaymentSuccess]").find((l) => l.orderId === order.orderId), {
      description: "request applied",
    });
    await issuer.send(payment(order));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const [row] = await invoicesOf(order.orderId);
    expect(row?.buyerTaxCode).toBe(COMPANY_BUYER.taxCode);
    expect(eventsOf(issuer, order.orderId, "CLAIM_OPENED")).toHaveLength(0);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});

describe("duplicates and replays", () => {
  it("the same payment event twice is applied once; the repeat is audited and changes nothing", async () => {
    const order = newOrder();
    const paid = payment(order, { buyer: COMPANY_BUYER });
    await issuer.send(paid);
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    await issuer.send(paid);
    await waitFor(
      () =>
        issuer
          .logs("[issuer] event already applied")
          .find((l) => l.orderId === order.orderId && l.eventId === paid.eventId),
      { description: "the duplicate seen" },
    );
    // A second payment event (new eventId, same payment) is a replay of an order with an active invoice.
    await issuer.send(payment(order, { buyer: COMPANY_BUYER, paidAt: paid.occurredAt }));
    await waitFor(
      async () => (await issuer.db.invoiceAuditTracing.count({ where: { orderId: order.orderId } })) >= 4,
      { description: "the replays audited" },
    );
    expect(await invoicesOf(order.orderId)).toHaveLength(1);
    expect(eventsOf(issuer, order.orderId, "INVOICE_ISSUED")).toHaveLength(1);
    const audit = await issuer.db.invoiceAuditTracing.findMany({ where: { orderId: order.orderId } });
    expect(audit.map((a) => a.eventType)).toEqual(expect.arrayContaining(["WakeUp"]));
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("an operator re-publish of an applied record (DLQ headers) is a ReplayRequested: audited, nothing re-issued", async () => {
    const order = newOrder();
    const paid = payment(order, { buyer: COMPANY_BUYER });
    await issuer.send(paid);
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    await issuer.send(paid, { "replay.requested-by": "ops:alice" });
    const replay = await waitFor(
      async () =>
        (await issuer.db.invoiceAuditTracing.findFirst({
          where: { orderId: order.orderId, eventType: "ReplayRequested" },
        })) ?? undefined,
      { description: "the replay audited" },
    );
    expect(replay.actor).toBe("ops:alice");
    expect(await invoicesOf(order.orderId)).toHaveLength(1);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});

describe("refunds", () => {
  it("a full refund before issuance (claim open): never invoiced, FAILED REFUNDED_BEFORE_ISSUANCE", async () => {
    const order = newOrder();
    await issuer.send(payment(order));
    await waitForEvent(issuer, order.orderId, "CLAIM_OPENED");
    await issuer.send(refund(order, AMOUNT_VND, true));
    await waitFor(
      async () => {
        const state = await issuer.db.orderState.findFirst({ where: { orderId: order.orderId } });
        return state?.status === "FAILED" ? state : undefined;
      },
      { description: "order FAILED" },
    );
    expect(await invoicesOf(order.orderId)).toHaveLength(0);
    const claim = await issuer.db.claim.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(claim.closedReason).toBe("REFUNDED");
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("a full refund after issuance: a decrease adjustment is issued at the provider", async () => {
    const order = newOrder();
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    await issuer.send(refund(order, AMOUNT_VND, true));
    await waitFor(() => eventsOf(issuer, order.orderId, "INVOICE_ISSUED").length >= 2, {
      timeoutMs: 60_000,
      description: "the adjustment issued",
    });
    const rows = await invoicesOf(order.orderId);
    expect(rows.map((r) => r.kind)).toEqual(["ORIGINAL", "ADJUSTMENT"]);
    expect(Number(rows[1]?.totalAmountWithTax)).toBe(AMOUNT_VND); // a magnitude: the kind says decrease
    expect(rows[1]?.status).toBe("ISSUED");
    expect(rows[1]?.relatedInvoiceId).toBe(rows[0]?.id);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});
