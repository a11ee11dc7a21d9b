/**
 * The outbox of InvoiceEvents (ADR 0022): a decision's publications are written with it, deleted once
 * on the topic, and relayed when a process died between its commit and its publish.
 */
import type { InvoiceEvent } from "@invoice/domain";
import { invoiceEventFromWire } from "@invoice/schemas";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "../src/issuance/bulk-insert.ts";
import { OUTBOX_COLUMNS } from "../src/issuance/outbox.ts";
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
    // What a process that died between its commit and its publish leaves: the row, an hour old.
    const lost = { ...mapped.value.event, eventId: `${mapped.value.event.eventId}:lost` };
    const invoiceRow = await invoiceRowOf(order.orderId);
    await leaveRow(order, lost, invoiceRow);
    const relayed = await waitFor(
      () => issuer.events.find((e) => e.record.headers.eventId === lost.eventId),
      { timeoutMs: 30_000, description: "the lost InvoiceIssued on invoice.events" },
    );
    expect(relayed.record.key?.toString()).toBe(order.orderId);
    expect(relayed.value.type).toBe("INVOICE_ISSUED");
    expect(relayed.value.invoiceId).toBe(invoiceRow.id);
    await waitFor(async () => (await outboxOf(order.orderId)).length === 0, {
      timeoutMs: 30_000,
      description: "the relayed row deleted",
    });
    expect(issuer.logs("[outbox] relayed events committed but not published in time").length).toBeGreaterThan(
      0,
    );
  });

  it("a relayed event is the same record, byte for byte, as the one published directly", async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const published = await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const mapped = invoiceEventFromWire(published.value as never);
    if (!mapped.ok) throw mapped.error;
    // The same event, through the decision store's writer (bulkInsert → jsonb) and the relay.
    await leaveRow(order, mapped.value.event, await invoiceRowOf(order.orderId));
    const relayed = await waitFor(
      () =>
        issuer.events.find(
          (e) =>
            e.record.headers.eventId === mapped.value.event.eventId &&
            e.record.offset !== published.record.offset,
        ),
      { timeoutMs: 30_000, description: "the InvoiceIssued relayed again" },
    );
    expect(Buffer.compare(relayed.record.value as Buffer, published.record.value as Buffer)).toBe(0);
    expect(relayed.record.key?.toString()).toBe(order.orderId);
  });

  it("an InvoiceFailed with Vietnamese, emoji and line separators decodes back to the stored event", async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    const event: InvoiceEvent = {
      eventId: `${order.orderId}:failed`,
      causationEventId: `${order.orderId}:cause`,
      orderId: order.orderId,
      merchantId: order.merchantId,
      occurredAt: 1_764_000_000_123,
      type: "InvoiceFailed",
      payload: {
        invoiceSeq: 1,
        role: "original",
        transactionUuid: "0b7e3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        errorCode: "PROVIDER_REJECTED",
        errorMessage: 'Mã số thuế "0100109106" không hợp lệ 🧾\u2028dòng 2\ttab \\ ✓',
        attempts: 3,
      },
    };
    await leaveRow(order, event, null);
    const relayed = await waitFor(
      () => issuer.events.find((e) => e.record.headers.eventId === event.eventId),
      {
        timeoutMs: 30_000,
        description: "the InvoiceFailed relayed",
      },
    );
    const back = invoiceEventFromWire(relayed.value as never);
    if (!back.ok) throw back.error;
    expect(back.value.event).toEqual(event);
  });

  it("a row that cannot be published does not hold back the rows after it", async () => {
    const poisoned = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const published = await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const mapped = invoiceEventFromWire(published.value as never);
    if (!mapped.ok) throw mapped.error;
    // An InvoiceIssued whose invoice row the decision did not know (no view): the mapping refuses it
    // for ever. It is the oldest row, so the relay meets it first.
    const stuck = {
      ...mapped.value.event,
      eventId: `${mapped.value.event.eventId}:stuck`,
      orderId: poisoned.orderId,
    };
    await leaveRow(poisoned, stuck, null, 1n);
    const lost = { ...mapped.value.event, eventId: `${mapped.value.event.eventId}:behind` };
    await leaveRow(order, lost, await invoiceRowOf(order.orderId));
    try {
      await waitFor(() => issuer.events.find((e) => e.record.headers.eventId === lost.eventId), {
        timeoutMs: 30_000,
        description: "the row behind the unpublishable one relayed",
      });
      expect(await outboxOf(poisoned.orderId)).toHaveLength(1); // kept, retried, never dropped
    } finally {
      await issuer.db.$executeRawUnsafe(`DELETE FROM "InvoiceOutbox" WHERE "id" = 1`);
    }
  });
});

async function invoiceRowOf(orderId: string) {
  const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId } });
  return {
    id: row.id.toString(),
    seq: 1,
    transactionUuid: row.transactionUuid,
    seller: row.sellerSnapshot,
    provider: row.providerConfigSnapshot,
    series: row.invoiceSeries,
    totalPayableVnd: Number(row.totalAmountWithTax),
    lookupCode: row.providerReservationCode,
  };
}

let nextId = BigInt(Date.now()) * 1000n;
/** What a process that died between its commit and its publish leaves: its row, an hour old. */
async function leaveRow(
  order: { orderId: string; merchantId: string },
  event: InvoiceEvent,
  invoiceRow: object | null,
  id: bigint = nextId++,
): Promise<void> {
  await issuer.db.$transaction(async (tx) => {
    await bulkInsert(tx, "InvoiceOutbox", OUTBOX_COLUMNS, [
      { id, merchantId: order.merchantId, orderId: order.orderId, eventId: event.eventId, event, invoiceRow },
    ]);
    await tx.$executeRawUnsafe(
      `UPDATE "InvoiceOutbox" SET "createdAt" = now() - interval '1 hour' WHERE "id" = $1::bigint`,
      String(id),
    );
  });
}
