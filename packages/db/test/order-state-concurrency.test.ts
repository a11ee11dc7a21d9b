import { uniqueName, waitFor } from "@invoice/testing";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPrismaClient,
  loadOrderStates,
  type OrderKey,
  type OrderStateWrite,
  type OrderStateWriteResult,
  type PrismaClient,
  recordProcessedEvents,
  writeOrderStates,
} from "../src/index.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

// Two issuer members may write the same order at once: a member that lost its partitions in a
// rebalance still finishing a batch, or the retry topic's record of an order racing a new event of the
// same order on another member. Each test makes the race happen for real: the first transaction holds
// its row lock until the second statement is seen waiting for it in pg_stat_activity.
let db: TempDatabase;
let prisma: PrismaClient;
let observer: pg.Client;
const CONSUMER = "issuer";

beforeAll(async () => {
  db = await createTempDatabase("db_order_state_race", { migrate: true });
  prisma = createPrismaClient({ databaseUrl: db.url, maxConnections: 12 });
  observer = await connect(db.url);
});
afterAll(async () => {
  await observer?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const TX = { timeout: 60_000, maxWait: 20_000 };

/** Resolves once `count` statements on this database wait for a lock held by another transaction. */
async function lockWaiters(count: number): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await observer.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return (rows[0]?.waiting ?? 0) >= count ? true : undefined;
    },
    { timeoutMs: 30_000, description: `${count} statement(s) waiting for a row lock` },
  );
}

/** Runs `work` in a transaction that stays open (holding its locks) until `release` is called. */
function heldTransaction<T>(
  work: (tx: Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0]) => Promise<T>,
) {
  let release: () => void = () => undefined;
  let rollback = false;
  let resultOf: (value: T) => void = () => undefined;
  const result = new Promise<T>((resolve) => {
    resultOf = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = prisma
    .$transaction(async (tx) => {
      resultOf(await work(tx));
      await gate;
      if (rollback) throw new Error("rolled back on purpose");
    }, TX)
    .catch((error: unknown) => {
      if (!rollback) throw error;
    });
  return {
    /** What `work` returned, before the commit. */
    result,
    commit: () => {
      release();
      return done;
    },
    rollback: () => {
      rollback = true;
      release();
      return done;
    },
  };
}

const key = (merchantId: string): OrderKey => ({ merchantId, orderId: "order-1" });
const write = (k: OrderKey, expectedVersion: number | null, writer: string): OrderStateWrite => ({
  key: k,
  status: "ISSUING",
  document: { writer },
  expectedVersion,
  eventIds: [`${k.merchantId}-${writer}`],
});
const outcome = (results: OrderStateWriteResult[]) => results[0]?.outcome;

describe("order state under concurrent writers", () => {
  it("two writers of the same version: the first to commit wins, the other sees a conflict", async () => {
    const m = uniqueName("m");
    await writeOrderStates(prisma, CONSUMER, [{ ...write(key(m), null, "seed"), status: "REQUESTED" }]);
    const first = heldTransaction((tx) => writeOrderStates(tx, CONSUMER, [write(key(m), 1, "a")]));
    expect(outcome(await first.result)).toBe("written");

    const second = writeOrderStates(prisma, CONSUMER, [write(key(m), 1, "b")]);
    await lockWaiters(1);
    await first.commit();
    expect(outcome(await second)).toBe("conflict");

    const { states, processedEventIds } = await loadOrderStates(prisma, {
      keys: [key(m)],
      consumer: CONSUMER,
      eventIds: [`${m}-a`, `${m}-b`],
    });
    expect(states[0]).toMatchObject({ version: 2, document: { writer: "a" } });
    // The loser's event is not marked processed: it is applied when the loser reloads and retries.
    expect([...processedEventIds]).toEqual([`${m}-a`]);
  });

  it("when the first writer rolls back, the waiting one writes", async () => {
    const m = uniqueName("m");
    await writeOrderStates(prisma, CONSUMER, [{ ...write(key(m), null, "seed"), status: "REQUESTED" }]);
    const first = heldTransaction((tx) => writeOrderStates(tx, CONSUMER, [write(key(m), 1, "a")]));
    await first.result;
    const second = writeOrderStates(prisma, CONSUMER, [write(key(m), 1, "b")]);
    await lockWaiters(1);
    await first.rollback();
    expect(await second).toMatchObject([{ outcome: "written", version: 2, newEventIds: [`${m}-b`] }]);
  });

  it("two inserts of a new order: one wins, the other sees a conflict", async () => {
    const m = uniqueName("m");
    const first = heldTransaction((tx) => writeOrderStates(tx, CONSUMER, [write(key(m), null, "a")]));
    expect(outcome(await first.result)).toBe("written");
    const second = writeOrderStates(prisma, CONSUMER, [write(key(m), null, "b")]);
    await lockWaiters(1);
    await first.commit();
    expect(outcome(await second)).toBe("conflict");
    const { states } = await loadOrderStates(prisma, { keys: [key(m)] });
    expect(states[0]).toMatchObject({ version: 1, document: { writer: "a" } });
  });

  it("many writers racing on one order from the same version: exactly one wins", async () => {
    const m = uniqueName("m");
    await writeOrderStates(prisma, CONSUMER, [{ ...write(key(m), null, "seed"), status: "REQUESTED" }]);
    const writers = Array.from({ length: 8 }, (_, n) =>
      prisma.$transaction((tx) => writeOrderStates(tx, CONSUMER, [write(key(m), 1, `w${n}`)]), TX),
    );
    const outcomes = (await Promise.all(writers)).map(outcome);
    expect(outcomes.filter((o) => o === "written")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "conflict")).toHaveLength(7);
    const { states } = await loadOrderStates(prisma, { keys: [key(m)] });
    expect(states[0]?.version).toBe(2);
  });
});

describe("lock order", () => {
  it("two batches holding the same orders in opposite orders do not deadlock", async () => {
    const m = uniqueName("m");
    const keys = Array.from({ length: 60 }, (_, n) => ({
      merchantId: m,
      orderId: `order-${String(n).padStart(3, "0")}`,
    }));
    await writeOrderStates(
      prisma,
      CONSUMER,
      keys.map((k) => ({ key: k, status: "REQUESTED", document: {}, expectedVersion: null })),
    );
    const batch = (writer: string, order: OrderKey[]) =>
      prisma.$transaction(async (tx) => {
        // The plan a large table gets: one index lookup per input row, in input order. A small test table
        // would otherwise be scanned in its physical order, the same for both batches.
        await tx.$executeRawUnsafe("SET LOCAL enable_hashjoin = off");
        await tx.$executeRawUnsafe("SET LOCAL enable_mergejoin = off");
        await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
        return writeOrderStates(
          tx,
          CONSUMER,
          order.map((k) => ({ key: k, status: "ISSUING", document: { writer }, expectedVersion: 1 })),
        );
      }, TX);

    // Someone holds the middle order, so both batches stop half-way with what they locked so far.
    const middle = keys[30] as OrderKey;
    const holder = heldTransaction((tx) =>
      tx.$queryRawUnsafe(
        `SELECT "orderId" FROM "OrderState" WHERE "merchantId" = $1 AND "orderId" = $2 FOR UPDATE`,
        middle.merchantId,
        middle.orderId,
      ),
    );
    await holder.result;
    const ascending = batch("a", keys);
    const descending = batch("d", [...keys].reverse());
    await lockWaiters(2);
    await holder.commit();

    // Without ordered locks: ascending holds 0..29 and waits for 31, descending holds 59..31 and waits for
    // 30 — PostgreSQL aborts one batch with 40P01. With them both lock from order 0 up: one waits for the
    // other, which writes every order.
    const results = await Promise.all([ascending, descending]);
    const written = results.map((r) => r.filter((x) => x.outcome === "written").length).sort();
    expect(written).toEqual([0, 60]);
  });
});

describe("dedupe under concurrency", () => {
  it("the same event recorded by concurrent transactions is new for exactly one of them", async () => {
    const eventId = uniqueName("event");
    const attempts = Array.from({ length: 8 }, () =>
      prisma.$transaction((tx) => recordProcessedEvents(tx, CONSUMER, [{ eventId, orderId: "o-1" }]), TX),
    );
    const newFor = (await Promise.all(attempts)).filter((fresh) => fresh.has(eventId));
    expect(newFor).toHaveLength(1);
  });

  it("an event recorded by a transaction that rolls back is new again for the one that waited", async () => {
    const eventId = uniqueName("event");
    const first = heldTransaction((tx) => recordProcessedEvents(tx, CONSUMER, [{ eventId }]));
    expect((await first.result).has(eventId)).toBe(true);
    const second = recordProcessedEvents(prisma, CONSUMER, [{ eventId }]);
    await lockWaiters(1);
    await first.rollback();
    expect((await second).has(eventId)).toBe(true);
  });

  it("a state and the events it includes are seen together: load after a concurrent commit sees both", async () => {
    const m = uniqueName("m");
    const first = heldTransaction((tx) => writeOrderStates(tx, CONSUMER, [write(key(m), null, "a")]));
    await first.result;
    // Before the commit: neither the state nor its event.
    const before = await loadOrderStates(prisma, {
      keys: [key(m)],
      consumer: CONSUMER,
      eventIds: [`${m}-a`],
    });
    expect([before.states[0], before.processedEventIds.size]).toEqual([undefined, 0]);
    await first.commit();
    const after = await loadOrderStates(prisma, { keys: [key(m)], consumer: CONSUMER, eventIds: [`${m}-a`] });
    expect([after.states[0]?.version, [...after.processedEventIds]]).toEqual([1, [`${m}-a`]]);
  });
});
