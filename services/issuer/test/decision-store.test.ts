/**
 * The grouped decision store against a real database (ADR 0019): events handed over together are
 * applied in shared transactions, an order's events never share one, and an event that fails for
 * good fails alone.
 */
import { randomUUID } from "node:crypto";
import { createPrismaClient, type PrismaClient } from "@invoice/db";
import { connect, createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import type { IssuanceEvent } from "@invoice/domain";
import { isRetriable } from "@invoice/errors";
import { createSnowflakeGenerator } from "@invoice/ids";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Committed, createDecisionStore, type DecisionStore } from "../src/issuance/decision-store.ts";
import { COMPANY_BUYER, payment, refund, uniqueMerchant, uniqueOrder } from "./support.ts";

let database: TempDatabase;
let db: PrismaClient;
const groups: number[] = [];
let store: DecisionStore;

beforeAll(async () => {
  database = await createTempDatabase("issuer_store_it", { migrate: true });
  db = createPrismaClient({ databaseUrl: database.url });
  store = createDecisionStore({
    prisma: db,
    ids: createSnowflakeGenerator({ workerId: 7 }),
    defaults: { claimWindowMs: 60_000, sendLeaseMs: 60_000, production: false },
    maxGroupSize: 50,
    onGroup: (size) => groups.push(size),
  });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const applied = (c: Committed) => {
  if (c.kind !== "applied") throw new Error(`expected applied, got ${c.kind}`);
  return c;
};

describe("the grouped decision store", () => {
  it("applies 120 orders' payments in groups of at most 50, each order with its invoice and audit row", async () => {
    const merchantId = uniqueMerchant();
    const orders = Array.from({ length: 120 }, () => ({ merchantId, orderId: uniqueOrder() }));
    groups.length = 0;
    const results = await Promise.all(
      orders.map((order) => store(payment(order, { buyer: COMPANY_BUYER }) as IssuanceEvent)),
    );
    for (const result of results) {
      const { decision, invoices } = applied(result);
      expect(decision.effects.map((e) => e.type)).toContain("IssueInvoice");
      expect(invoices.get(1)?.transactionUuid).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Grouped: far fewer transactions than events, none above the cap.
    expect(groups.reduce((a, b) => a + b, 0)).toBe(120);
    expect(Math.max(...groups)).toBeLessThanOrEqual(50);
    expect(groups.length).toBeLessThanOrEqual(10);
    const ids = orders.map((o) => o.orderId);
    const [invoices, audits, states] = await Promise.all([
      db.invoice.findMany({ where: { orderId: { in: ids } } }),
      db.invoiceAuditTracing.findMany({ where: { orderId: { in: ids } } }),
      db.orderState.findMany({ where: { orderId: { in: ids } } }),
    ]);
    expect(invoices).toHaveLength(120);
    expect(new Set(invoices.map((i) => i.orderId)).size).toBe(120);
    expect(invoices.every((i) => i.status === "ISSUING" && i.buyerTaxCode === COMPANY_BUYER.taxCode)).toBe(
      true,
    );
    expect(new Set(audits.map((a) => a.orderId)).size).toBe(120);
    expect(states.every((s) => s.version === 1)).toBe(true);
  });

  it("never puts two events of one order in one transaction: they apply in the order handed over", async () => {
    const order = { merchantId: uniqueMerchant(), orderId: uniqueOrder() };
    const paid = payment(order) as IssuanceEvent;
    const refunded = refund(order, 330_000, true) as IssuanceEvent;
    groups.length = 0;
    const [first, second, again] = await Promise.all([store(paid), store(refunded), store(paid)]);
    expect(applied(first as Committed).state?.status).toBe("AWAITING_CLAIM");
    // Decided on the first one's state: a full refund before issuance ends the order.
    expect(applied(second as Committed).state?.failure?.code).toBe("REFUNDED_BEFORE_ISSUANCE");
    expect(again?.kind).toBe("duplicate");
    expect(groups).toEqual([1, 1, 1]);
    const state = await db.orderState.findUniqueOrThrow({ where: { merchantId_orderId: order } });
    expect(state.version).toBe(2);
  });

  it("cuts an audit actor at 128 characters without splitting an emoji (jsonb refuses half of one)", async () => {
    const order = { merchantId: uniqueMerchant(), orderId: uniqueOrder() };
    expect(
      applied(await store(payment(order, { buyer: COMPANY_BUYER }) as IssuanceEvent)).state,
    ).toBeDefined();
    // An operator name from a record header, of any length: 127 characters, then an emoji (two UTF-16
    // units) across the column's limit.
    const requestedBy = `${"o".repeat(127)}😀 and more`;
    const replay = {
      eventId: `replay-${randomUUID()}`,
      ...order,
      occurredAt: Date.now(),
      type: "ReplayRequested",
      payload: { reason: "dlq-republish", requestedBy },
    } as IssuanceEvent;
    applied(await store(replay));
    const audit = await db.invoiceAuditTracing.findFirstOrThrow({
      where: { orderId: order.orderId, eventType: "ReplayRequested" },
    });
    expect(audit.actor).toBe("o".repeat(127));
  });

  it("rows locked by another session hold up only their own orders, not the rest of their group", async () => {
    const lockedStore = createDecisionStore({
      prisma: db,
      ids: createSnowflakeGenerator({ workerId: 8 }),
      defaults: { claimWindowMs: 60_000, sendLeaseMs: 60_000, production: false },
      lockTimeoutMs: 3_000,
    });
    const merchantId = uniqueMerchant();
    const newOrders = (n: number) =>
      Array.from({ length: n }, () => ({ merchantId, orderId: uniqueOrder() }));
    const locked = newOrders(20);
    await Promise.all(
      locked.map(async (order) =>
        applied(await lockedStore(payment(order, { buyer: COMPANY_BUYER }) as IssuanceEvent)),
      ),
    );
    // A session holding the orders' rows: an operator's open transaction, or a stalled instance
    // in the middle of its own group.
    const holder = await connect(database.url);
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM "OrderState" WHERE "orderId" = ANY($1) FOR UPDATE`, [
      locked.map((o) => o.orderId),
    ]);
    const refunds = locked.map((order) => refund(order, 110_000, false) as IssuanceEvent);
    const others = newOrders(20);
    const done: Committed[] = [];
    const refused: unknown[] = [];
    try {
      // Handed over in one turn: one group, the locked orders' events first.
      for (const event of refunds) {
        lockedStore(event).then(
          () => refused.push(new Error("applied while its row was locked")),
          (error: unknown) => refused.push(error),
        );
      }
      for (const order of others) {
        void lockedStore(payment(order, { buyer: COMPANY_BUYER }) as IssuanceEvent).then((c) => done.push(c));
      }
      // One lock wait (3 s) for the group, then a short one per locked order: far within the
      // deadline, which twenty full waits in turn (60 s) would miss.
      await waitFor(() => done.length === others.length && refused.length === locked.length, {
        timeoutMs: 30_000,
        description: "the other orders applied and the locked ones refused while the locks are held",
      });
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    expect(done.every((c) => c.kind === "applied")).toBe(true);
    expect(refused.every((error) => isRetriable(error))).toBe(true);
    expect(refused[0]).toMatchObject({ code: "DB_LOCK_TIMEOUT" });
    // Their callers try again once the locks are gone.
    for (const event of refunds)
      expect(applied(await lockedStore(event)).decision.effects.length).toBeGreaterThan(0);
    const states = await db.orderState.findMany({ where: { orderId: { in: locked.map((o) => o.orderId) } } });
    expect(states.map((s) => s.version)).toEqual(locked.map(() => 2));
  });

  it("fails only the event at fault when one of a group cannot be written", async () => {
    const merchantId = uniqueMerchant();
    const good = Array.from({ length: 9 }, () => ({ merchantId, orderId: uniqueOrder() }));
    // An order id longer than the column (64) passes the machine and fails in the database.
    const bad = { merchantId, orderId: `IT-${"x".repeat(80)}` };
    const settled = await Promise.allSettled([
      ...good.map((order) => store(payment(order, { buyer: COMPANY_BUYER }) as IssuanceEvent)),
      store(payment(bad, { buyer: COMPANY_BUYER }) as IssuanceEvent),
    ]);
    expect(settled.slice(0, 9).every((s) => s.status === "fulfilled" && s.value.kind === "applied")).toBe(
      true,
    );
    const last = settled[9];
    expect(last?.status).toBe("rejected");
    const rows = await db.invoice.count({ where: { orderId: { in: good.map((o) => o.orderId) } } });
    expect(rows).toBe(9);
    expect(await db.orderState.count({ where: { orderId: bad.orderId } })).toBe(0);
  });
});
