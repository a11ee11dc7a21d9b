/**
 * The outbox of InvoiceEvents (ADR 0022): a decision's publications are written with it, deleted once
 * on the topic, and relayed when a process died between its commit and its publish.
 */
import { invoiceEventFromWire } from "@invoice/schemas";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_BUYER,
  type IssuerFixture,
  payment,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

let issuer: IssuerFixture;
beforeAll(async () => {
  issuer = await startIssuer({
    ISSUER_DEFAULT_CLAIM_WINDOW_MS: "0",
    ISSUER_OUTBOX_GRACE_MS: "3000",
    ISSUER_OUTBOX_RELAY_INTERVAL_MS: "200",
  });
});
afterAll(async () => {
  await issuer?.stop();
});

const outboxOf = (orderId: string) =>
  issuer.db.$queryRawUnsafe<Array<{ eventId: string }>>(
    `SELECT "eventId" FROM "InvoiceOutbox" WHERE "orderId" = $1`,
    orderId,
  );

describe("the issuer's outbox", () => {
  it("a published event leaves the outbox, and is published once", async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    await waitFor(async () => (await outboxOf(order.orderId)).length === 0, {
      timeoutMs: 30_000,
      description: "the outbox row of InvoiceIssued deleted",
    });
    // Past the grace period and several relay passes: nothing is relayed for it.
    await new Promise((resolve) => setTimeout(resolve, 4_000)); // the subject is time passing
    const issued = issuer.events.filter(
      (e) => e.value.orderId === order.orderId && e.value.type === "INVOICE_ISSUED",
    );
    expect(issued).toHaveLength(1);
  });

  it("an event committed but never published (the process died first) is relayed after the grace period", async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const published = await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const mapped = invoiceEventFromWire(published.value as never);
    if (!mapped.ok) throw mapped.error;
    const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
    // What a process that died between its commit and its publish leaves: the row, an hour old.
    const lost = { ...mapped.value.event, eventId: `${mapped.value.event.eventId}:lost` };
    const invoiceRow = {
      id: row.id.toString(),
      seq: 1,
      transactionUuid: row.transactionUuid,
      seller: row.sellerSnapshot,
      provider: row.providerConfigSnapshot,
      series: row.invoiceSeries,
      totalPayableVnd: Number(row.totalAmountWithTax),
      lookupCode: row.providerReservationCode,
    };
    await issuer.db.$executeRawUnsafe(
      `INSERT INTO "InvoiceOutbox" ("id", "merchantId", "orderId", "eventId", "event", "invoiceRow", "createdAt")
       VALUES ($1::bigint, $2, $3, $4, $5::jsonb, $6::jsonb, now() - interval '1 hour')`,
      String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))),
      order.merchantId,
      order.orderId,
      lost.eventId,
      JSON.stringify(lost),
      JSON.stringify(invoiceRow),
    );
    const relayed = await waitFor(
      () => issuer.events.find((e) => e.record.headers.eventId === lost.eventId),
      { timeoutMs: 30_000, description: "the lost InvoiceIssued on invoice.events" },
    );
    expect(relayed.record.key?.toString()).toBe(order.orderId);
    expect(relayed.value.type).toBe("INVOICE_ISSUED");
    expect(relayed.value.invoiceId).toBe(row.id.toString());
    await waitFor(async () => (await outboxOf(order.orderId)).length === 0, {
      timeoutMs: 30_000,
      description: "the relayed row deleted",
    });
    expect(issuer.logs("[outbox] relayed events committed but not published in time").length).toBeGreaterThan(
      0,
    );
  });
});
