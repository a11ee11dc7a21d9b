import { DatabaseError, isRetriable } from "@invoice/errors";
import { uniqueName } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPrismaClient,
  loadOrderStates,
  type OrderKey,
  OrderStateInputError,
  type OrderStateWrite,
  type PrismaClient,
  recordProcessedEvents,
  type SqlExecutor,
  writeOrderStates,
} from "../src/index.ts";
import { createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

let db: TempDatabase;
let prisma: PrismaClient;
const CONSUMER = "issuer";

beforeAll(async () => {
  db = await createTempDatabase("db_order_state", { migrate: true });
  prisma = createPrismaClient({ databaseUrl: db.url });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

/** Counts statements sent, to prove a batch is one round trip whatever its size. */
function counting(executor: SqlExecutor) {
  const counter = {
    statements: 0,
    $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
      counter.statements++;
      return executor.$queryRawUnsafe<T>(query, ...values);
    },
  };
  return counter;
}

const merchant = () => uniqueName("merchant");
const key = (merchantId: string, n: number): OrderKey => ({ merchantId, orderId: `order-${n}` });
const insert = (k: OrderKey, document: Record<string, unknown> = { step: 1 }, eventIds: string[] = []) =>
  ({ key: k, status: "REQUESTED", document, expectedVersion: null, eventIds }) as OrderStateWrite;

describe("order state store", () => {
  it("inserts, loads and updates states; the document comes back exactly as written", async () => {
    const m = merchant();
    const document = {
      buyer: { name: "Công ty TNHH Ví Dụ", taxCode: "0101234567-001" },
      amounts: [1, 0, -5, 9_007_199_254_740_991],
      flags: { refunded: false, note: null },
    };
    const [first] = await writeOrderStates(prisma, CONSUMER, [insert(key(m, 1), document, ["e1"])]);
    expect(first).toEqual({
      key: key(m, 1),
      outcome: "written",
      version: 1,
      newEventIds: ["e1"],
      duplicateEventIds: [],
    });

    const loaded = await loadOrderStates(prisma, {
      keys: [key(m, 2), key(m, 1)],
      consumer: CONSUMER,
      eventIds: ["e1", "e-unknown"],
    });
    expect(loaded.states[0]).toBeUndefined();
    expect(loaded.states[1]).toMatchObject({ key: key(m, 1), status: "REQUESTED", document, version: 1 });
    expect(loaded.states[1]?.updatedAt).toBeInstanceOf(Date);
    expect([...loaded.processedEventIds]).toEqual(["e1"]);

    const [second] = await writeOrderStates(prisma, CONSUMER, [
      {
        key: key(m, 1),
        status: "AWAITING_CLAIM",
        document: { step: 2 },
        expectedVersion: 1,
        eventIds: ["e2"],
      },
    ]);
    expect(second).toMatchObject({ outcome: "written", version: 2, newEventIds: ["e2"] });
    const reloaded = await loadOrderStates(prisma, { keys: [key(m, 1)] });
    expect(reloaded.states[0]).toMatchObject({ status: "AWAITING_CLAIM", document: { step: 2 }, version: 2 });
  });

  it("reports a conflict per order and writes the rest; a conflicting order's events stay unrecorded", async () => {
    const m = merchant();
    await writeOrderStates(prisma, CONSUMER, [insert(key(m, 1)), insert(key(m, 2)), insert(key(m, 4))]);
    const results = await writeOrderStates(prisma, CONSUMER, [
      // Stale: someone wrote version 2 meanwhile (here: nobody did, the caller read an old version).
      { key: key(m, 1), status: "ISSUING", document: { step: 2 }, expectedVersion: 7, eventIds: ["c1"] },
      { key: key(m, 2), status: "ISSUING", document: { step: 2 }, expectedVersion: 1, eventIds: ["c2"] },
      // Insert of an order that already exists.
      { ...insert(key(m, 4)), eventIds: ["c3"] },
      insert(key(m, 3), { step: 1 }, ["c4"]),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["conflict", "written", "conflict", "written"]);
    const { states, processedEventIds } = await loadOrderStates(prisma, {
      keys: [key(m, 1), key(m, 2), key(m, 3), key(m, 4)],
      consumer: CONSUMER,
      eventIds: ["c1", "c2", "c3", "c4"],
    });
    expect(states.map((s) => s?.version)).toEqual([1, 2, 1, 1]);
    expect(states.map((s) => s?.status)).toEqual(["REQUESTED", "ISSUING", "REQUESTED", "REQUESTED"]);
    expect(states[0]?.document).toEqual({ step: 1 });
    expect([...processedEventIds].sort()).toEqual(["c2", "c4"]);
  });

  it("reports events another transaction already recorded as duplicates of a written order", async () => {
    const m = merchant();
    expect([...(await recordProcessedEvents(prisma, CONSUMER, [{ eventId: `${m}-old` }]))]).toEqual([
      `${m}-old`,
    ]);
    const [result] = await writeOrderStates(prisma, CONSUMER, [
      insert(key(m, 1), {}, [`${m}-old`, `${m}-new`]),
    ]);
    expect(result).toMatchObject({
      outcome: "written",
      newEventIds: [`${m}-new`],
      duplicateEventIds: [`${m}-old`],
    });
  });

  it("inside an interactive transaction, a rollback leaves neither the state nor its events", async () => {
    const m = merchant();
    const rolledBack = prisma.$transaction(async (tx) => {
      const [written] = await writeOrderStates(tx, CONSUMER, [insert(key(m, 1), {}, [`${m}-e`])]);
      expect(written?.outcome).toBe("written");
      throw new Error("provider effect could not be queued");
    });
    await expect(rolledBack).rejects.toThrow("provider effect could not be queued");
    const { states, processedEventIds } = await loadOrderStates(prisma, {
      keys: [key(m, 1)],
      consumer: CONSUMER,
      eventIds: [`${m}-e`],
    });
    expect(states).toEqual([undefined]);
    expect(processedEventIds.size).toBe(0);
  });

  it("records processed events and returns only the new ones, per consumer", async () => {
    const m = merchant();
    const first = await recordProcessedEvents(prisma, "cdc-sync", [
      { eventId: `${m}-a`, orderId: "o-1" },
      { eventId: `${m}-b` },
    ]);
    expect([...first].sort()).toEqual([`${m}-a`, `${m}-b`]);
    const second = await recordProcessedEvents(prisma, "cdc-sync", [
      { eventId: `${m}-b` },
      { eventId: `${m}-c` },
    ]);
    expect([...second]).toEqual([`${m}-c`]);
    // Another consumer has its own history of the same event.
    expect([...(await recordProcessedEvents(prisma, "other", [{ eventId: `${m}-a` }]))]).toEqual([`${m}-a`]);
  });

  it("handles a batch of 500 orders in one statement each: insert, load, update with some conflicts", async ({
    annotate,
  }) => {
    const m = merchant();
    const keys = Array.from({ length: 500 }, (_, n) => key(m, n));
    const document = (n: number) => ({ n, lines: [{ sku: `SKU-${n}`, name: "Gạo ST25", quantity: 2 }] });
    // Warm the pool, so the first timing is the statement and not the connection set-up.
    await prisma.$queryRawUnsafe("SELECT 1");
    const executor = counting(prisma);
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, work: () => Promise<T>) => {
      const startedAt = performance.now();
      const result = await work();
      timings[name] = Math.round(performance.now() - startedAt);
      return result;
    };

    const inserted = await timed("insert", () =>
      writeOrderStates(
        executor,
        CONSUMER,
        keys.map((k, n) => insert(k, document(n), [`${m}-e${n}`])),
      ),
    );
    expect(inserted.every((r) => r.outcome === "written")).toBe(true);

    const loaded = await timed("load", () =>
      loadOrderStates(executor, { keys, consumer: CONSUMER, eventIds: keys.map((_, n) => `${m}-e${n}`) }),
    );
    expect(loaded.states.map((s) => s?.document)).toEqual(keys.map((_, n) => document(n)));
    expect(loaded.processedEventIds.size).toBe(500);

    const updated = await timed("update", () =>
      writeOrderStates(
        executor,
        CONSUMER,
        keys.map((k, n) => ({
          key: k,
          status: "ISSUING" as const,
          document: { ...document(n), sending: true },
          // Every 50th order was read at a stale version.
          expectedVersion: n % 50 === 0 ? 99 : 1,
          eventIds: [`${m}-u${n}`],
        })),
      ),
    );
    expect(updated.filter((r) => r.outcome === "conflict").map((r) => r.key.orderId)).toEqual(
      keys.filter((_, n) => n % 50 === 0).map((k) => k.orderId),
    );
    expect(executor.statements).toBe(3);
    await annotate(
      `500 orders, one statement each: insert ${timings.insert} ms, load ${timings.load} ms, update ${timings.update} ms`,
    );
  });

  it("refuses a malformed batch before sending anything, as a non-retriable error", async () => {
    const m = merchant();
    const executor = counting(prisma);
    const refusals: Array<[string, () => Promise<unknown>]> = [
      [
        "same order twice",
        () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1)), insert(key(m, 1))]),
      ],
      [
        "same event twice",
        () =>
          writeOrderStates(executor, CONSUMER, [insert(key(m, 1), {}, ["x"]), insert(key(m, 2), {}, ["x"])]),
      ],
      [
        "orderId too long",
        () => writeOrderStates(executor, CONSUMER, [insert({ merchantId: m, orderId: "o".repeat(65) })]),
      ],
      ["NUL in a key", () => loadOrderStates(executor, { keys: [{ merchantId: m, orderId: "a\u0000b" }] })],
      ["empty merchantId", () => loadOrderStates(executor, { keys: [{ merchantId: "", orderId: "o" }] })],
      [
        "BigInt in the document",
        () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1), { amount: 10n })]),
      ],
      ["array document", () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1), [] as never)])],
      // Each of these failed the whole batch's statement (22P05 / 22P02, naming no order) or was
      // silently stored as null.
      [
        "NUL in a document string",
        () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1), { a: "x\u0000" })]),
      ],
      [
        "NUL in a document key",
        () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1), { "k\u0000": 1 })]),
      ],
      [
        "an unpaired surrogate deep in a document",
        () =>
          writeOrderStates(executor, CONSUMER, [insert(key(m, 1), { buyer: { names: ["ok", "\ud800"] } })]),
      ],
      [
        "NaN in a document",
        () => writeOrderStates(executor, CONSUMER, [insert(key(m, 1), { total: Number.NaN })]),
      ],
      [
        "an unpaired surrogate in an orderId",
        () => loadOrderStates(executor, { keys: [{ merchantId: m, orderId: "o\udc00" }] }),
      ],
      [
        "unknown status",
        () => writeOrderStates(executor, CONSUMER, [{ ...insert(key(m, 1)), status: "PAID" as never }]),
      ],
      [
        "version 0",
        () => writeOrderStates(executor, CONSUMER, [{ ...insert(key(m, 1)), expectedVersion: 0 }]),
      ],
      ["empty consumer", () => recordProcessedEvents(executor, "", [{ eventId: "e" }])],
      ["event id too long", () => recordProcessedEvents(executor, CONSUMER, [{ eventId: "e".repeat(129) }])],
    ];
    for (const [name, call] of refusals) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(OrderStateInputError);
      expect(isRetriable(error), name).toBe(false);
    }
    expect(executor.statements).toBe(0);
  });

  it("names the write and the path of a document PostgreSQL could not store, and stores paired emoji", async () => {
    const m = merchant();
    const bad = insert(key(m, 2), { buyer: { names: ["ok", "x\ud800"] } });
    await expect(writeOrderStates(prisma, CONSUMER, [insert(key(m, 1)), bad])).rejects.toThrow(
      "write 1: document.buyer.names[1] holds a NUL character or an unpaired surrogate",
    );
    const fine = { name: "Cửa hàng 😀", when: new Date(0) };
    const [result] = await writeOrderStates(prisma, CONSUMER, [insert(key(m, 3), fine)]);
    expect(result?.outcome).toBe("written");
    const { states } = await loadOrderStates(prisma, { keys: [key(m, 3)] });
    expect(states[0]?.document).toEqual({ name: "Cửa hàng 😀", when: "1970-01-01T00:00:00.000Z" });
  });

  it("throws database failures classified: a missing table is not retriable", async () => {
    const elsewhere = createPrismaClient({ databaseUrl: `${db.url}?schema=not_migrated` });
    try {
      const error = await loadOrderStates(elsewhere, { keys: [key("m", 1)] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe("DB_SCHEMA");
      expect(isRetriable(error)).toBe(false);
    } finally {
      await elsewhere.$disconnect();
    }
  });
});
