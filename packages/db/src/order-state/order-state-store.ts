import { classifyDatabaseError } from "@invoice/errors";
import {
  checkConsumer,
  checkEventIds,
  checkKey,
  checkOrderId,
  checkWrites,
  keyOf,
  toJsonParameter,
} from "./order-state-input.ts";
import type {
  JsonObject,
  OrderKey,
  OrderStateWrite,
  OrderStateWriteResult,
  OrderStatus,
  SqlExecutor,
  StoredOrderState,
} from "./order-state-types.ts";

/**
 * Batched access to the issuer's order state (ADR 0010). Every function is one SQL statement, so one
 * round trip however many orders the batch holds, and works on a PrismaClient or inside
 * `prisma.$transaction(async (tx) => ...)`. Failures are thrown as `DatabaseError` (classified: a lost
 * connection or a serialization failure is retriable, a constraint violation is not) or, for a batch
 * refused before sending, `OrderStateInputError`.
 *
 * The protocol the issuer follows, per batch of records:
 *   1. `loadOrderStates(db, { keys, consumer, eventIds })`: states and already-processed event ids, from
 *      one snapshot, so a state and the events it includes are seen together or not at all.
 *   2. Apply the events not yet processed, in arrival order, in memory.
 *   3. In one transaction: `writeOrderStates(tx, consumer, writes)` with each write's `eventIds`, plus the
 *      invoice, audit and outbox rows of the written orders. A conflict is reported per order: those
 *      orders go back to step 1; the others commit.
 */

interface LoadOptions {
  keys: readonly OrderKey[];
  /** With `eventIds`: which of them this consumer has already processed. */
  consumer?: string;
  eventIds?: readonly string[];
}

export interface LoadedOrderStates {
  /** Aligned with `keys`: `states[i]` is the state of `keys[i]`, undefined when the order has none. */
  states: Array<StoredOrderState | undefined>;
  /** The subset of `eventIds` already recorded for `consumer`. */
  processedEventIds: Set<string>;
}

interface LoadRow {
  i: number | null;
  status: OrderStatus | null;
  document: JsonObject | null;
  version: number | null;
  updatedAt: Date | null;
  eventId: string | null;
}

const LOAD_SQL = `
SELECT k.i, s."status"::text AS "status", s."document", s."version", s."updatedAt", NULL::text AS "eventId"
  FROM jsonb_to_recordset($1::jsonb) AS k(i int, "merchantId" text, "orderId" text)
  JOIN "OrderState" AS s ON s."merchantId" = k."merchantId" AND s."orderId" = k."orderId"
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, p."eventId"
  FROM "ProcessedEvent" AS p
 WHERE p."consumer" = $2 AND p."eventId" IN (SELECT jsonb_array_elements_text($3::jsonb))`;

/** Loads the states of many orders and filters their events, in one statement (one snapshot). */
export async function loadOrderStates(db: SqlExecutor, options: LoadOptions): Promise<LoadedOrderStates> {
  const { keys, consumer = "", eventIds = [] } = options;
  for (const [index, key] of keys.entries()) checkKey(key, `key ${index}`);
  if (eventIds.length > 0) checkConsumer(consumer);
  checkEventIds(eventIds);
  const states: Array<StoredOrderState | undefined> = keys.map(() => undefined);
  const processedEventIds = new Set<string>();
  if (keys.length === 0 && eventIds.length === 0) return { states, processedEventIds };

  const rows = await run<LoadRow[]>(
    db,
    LOAD_SQL,
    toJsonParameter(keys.map((key, i) => ({ i, merchantId: key.merchantId, orderId: key.orderId }))),
    consumer,
    JSON.stringify(eventIds),
  );
  for (const row of rows) {
    if (row.eventId !== null) {
      processedEventIds.add(row.eventId);
      continue;
    }
    const key = row.i === null ? undefined : keys[row.i];
    if (!key || row.status === null || row.document === null || row.version === null || !row.updatedAt) {
      continue;
    }
    states[row.i as number] = {
      key,
      status: row.status,
      document: row.document,
      version: row.version,
      updatedAt: row.updatedAt,
    };
  }
  return { states, processedEventIds };
}

interface WriteRow {
  i: number | null;
  version: number | null;
  eventId: string | null;
}

// Updates need the version they read; inserts need the key to be absent. Rows that match neither are
// conflicts. READ COMMITTED is enough: a concurrent writer of the same row makes this statement wait for
// it, then re-check `version` against the committed row (and find it moved on), and ON CONFLICT DO
// NOTHING waits for a concurrent insert of the same key in the same way. Events are recorded only for
// orders whose state was written, so an event is never marked processed without the state including it.
//
// Row locks are taken in key order (`locked`: ORDER BY sorts before FOR UPDATE locks), and inserts and
// events go in key order too: two batches holding the same orders in different orders would otherwise
// lock them in input order and deadlock, failing one whole batch (reproduced with the index-lookup plan
// a large table gets).
const WRITE_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
    i int, "merchantId" text, "orderId" text, "status" text, "document" jsonb, "expectedVersion" int,
    "eventIds" jsonb)
),
locked AS (
  SELECT s."merchantId", s."orderId", input.i
    FROM "OrderState" AS s
    JOIN input ON s."merchantId" = input."merchantId" AND s."orderId" = input."orderId"
   WHERE input."expectedVersion" IS NOT NULL AND s."version" = input."expectedVersion"
   ORDER BY s."merchantId", s."orderId"
     FOR UPDATE OF s
),
updated AS (
  UPDATE "OrderState" AS s
     SET "status" = input."status"::"InvoiceStatus", "document" = input."document",
         "version" = s."version" + 1, "updatedAt" = CURRENT_TIMESTAMP
    FROM locked JOIN input USING (i)
   WHERE s."merchantId" = locked."merchantId" AND s."orderId" = locked."orderId"
  RETURNING locked.i, s."version"
),
inserted AS (
  INSERT INTO "OrderState" ("merchantId", "orderId", "status", "document", "version", "updatedAt")
  SELECT "merchantId", "orderId", "status"::"InvoiceStatus", "document", 1, CURRENT_TIMESTAMP
    FROM input WHERE "expectedVersion" IS NULL
   ORDER BY "merchantId", "orderId"
  ON CONFLICT ("merchantId", "orderId") DO NOTHING
  RETURNING "merchantId", "orderId", "version"
),
written AS (
  SELECT i, "version" FROM updated
  UNION ALL
  SELECT input.i, inserted."version"
    FROM inserted JOIN input USING ("merchantId", "orderId")
),
recorded AS (
  INSERT INTO "ProcessedEvent" ("consumer", "eventId", "orderId")
  SELECT $2, e."eventId", input."orderId"
    FROM written
    JOIN input USING (i)
   CROSS JOIN LATERAL jsonb_array_elements_text(input."eventIds") AS e("eventId")
   ORDER BY e."eventId"
  ON CONFLICT ("consumer", "eventId") DO NOTHING
  RETURNING "eventId"
)
SELECT i, "version", NULL::text AS "eventId" FROM written
UNION ALL
SELECT NULL, NULL, "eventId" FROM recorded`;

/**
 * Inserts (expectedVersion null) and updates (expectedVersion = the version loaded) many orders in one
 * statement, and records each written order's `eventIds` for `consumer`. Results are aligned with
 * `writes`; a conflict concerns that order only, the rest are written.
 */
export async function writeOrderStates(
  db: SqlExecutor,
  consumer: string,
  writes: readonly OrderStateWrite[],
): Promise<OrderStateWriteResult[]> {
  checkConsumer(consumer);
  checkWrites(writes);
  if (writes.length === 0) return [];

  const rows = await run<WriteRow[]>(
    db,
    WRITE_SQL,
    toJsonParameter(
      writes.map((write, i) => ({
        i,
        merchantId: write.key.merchantId,
        orderId: write.key.orderId,
        status: write.status,
        document: write.document,
        expectedVersion: write.expectedVersion,
        eventIds: write.eventIds ?? [],
      })),
    ),
    consumer,
  );
  const versions = new Map<number, number>();
  const recorded = new Set<string>();
  for (const row of rows) {
    if (row.eventId !== null) recorded.add(row.eventId);
    else if (row.i !== null && row.version !== null) versions.set(row.i, row.version);
  }
  return writes.map((write, i): OrderStateWriteResult => {
    const version = versions.get(i);
    if (version === undefined) return { key: write.key, outcome: "conflict" };
    const eventIds = write.eventIds ?? [];
    return {
      key: write.key,
      outcome: "written",
      version,
      newEventIds: eventIds.filter((id) => recorded.has(id)),
      duplicateEventIds: eventIds.filter((id) => !recorded.has(id)),
    };
  });
}

const RECORD_SQL = `
INSERT INTO "ProcessedEvent" ("consumer", "eventId", "orderId")
SELECT $1, e."eventId", e."orderId" FROM jsonb_to_recordset($2::jsonb) AS e("eventId" text, "orderId" text)
 ORDER BY e."eventId"
ON CONFLICT ("consumer", "eventId") DO NOTHING
RETURNING "eventId"`;

/**
 * Records events as processed by `consumer` and returns the ones that were new. For consumers without
 * an OrderState row to write (the issuer records through writeOrderStates instead). Run it in the
 * transaction that applies the events: a concurrent transaction recording the same event waits for this
 * one and, if it commits, gets the event back as not new. Rows go in event-id order, so two calls with
 * overlapping events cannot deadlock.
 */
export async function recordProcessedEvents(
  db: SqlExecutor,
  consumer: string,
  events: ReadonlyArray<{ eventId: string; orderId?: string | null }>,
): Promise<Set<string>> {
  checkConsumer(consumer);
  checkEventIds(events.map((event) => event.eventId));
  for (const [index, event] of events.entries()) {
    if (event.orderId != null) checkOrderId(event.orderId, `event ${index}`);
  }
  if (events.length === 0) return new Set();
  const rows = await run<Array<{ eventId: string }>>(
    db,
    RECORD_SQL,
    consumer,
    toJsonParameter(events.map((event) => ({ eventId: event.eventId, orderId: event.orderId ?? null }))),
  );
  return new Set(rows.map((row) => row.eventId));
}

async function run<T>(db: SqlExecutor, sql: string, ...values: unknown[]): Promise<T> {
  try {
    return await db.$queryRawUnsafe<T>(sql, ...values);
  } catch (error) {
    throw classifyDatabaseError(error);
  }
}

export { keyOf as orderKeyString };
