/**
 * The outbox of InvoiceEvents (ADR 0022). A decision's events are written to InvoiceOutbox in the
 * decision's own transaction (`outboxRows`, by the decision store); the run publishes them right after
 * the commit and hands their ids to `published`, which deletes them in batches. A row still there after
 * the grace period belongs to a process that died between its commit and its publish (or whose publish
 * kept failing): the relay publishes it and deletes it. Publication is therefore at least once; a repeat
 * carries the same eventId, which consumers dedupe by.
 */
import type { Prisma, PrismaClient } from "@invoice/db";
import type { Decision, Effect, InvoiceEvent } from "@invoice/domain";
import type { IdGenerator } from "@invoice/ids";
import type { Logger } from "@invoice/observability";
import type { ColumnTypes } from "./bulk-insert.ts";
import type { InvoiceRowView } from "./invoice-rows.ts";

type Tx = Prisma.TransactionClient;
type Published = Extract<Effect, { type: "PublishInvoiceEvent" }>;

export const OUTBOX_COLUMNS: ColumnTypes = {
  id: "bigint",
  merchantId: "text",
  orderId: "text",
  eventId: "text",
  event: "jsonb",
  invoiceRow: "jsonb",
};

export interface OutboxRow {
  id: bigint;
  merchantId: string;
  orderId: string;
  eventId: string;
  event: InvoiceEvent;
  invoiceRow: (Omit<InvoiceRowView, "id"> & { id: string }) | null;
}

const DELETE_ROWS = `DELETE FROM "InvoiceOutbox" WHERE "id" = ANY($1::bigint[])`;

const seqOf = (event: InvoiceEvent) => (event.payload as { invoiceSeq?: number }).invoiceSeq;

/** The outbox rows of a decision's publications, in effect order. */
export function outboxRows(
  ids: IdGenerator,
  decision: Decision,
  invoices: Map<number, InvoiceRowView>,
): OutboxRow[] {
  return decision.effects
    .filter((e): e is Published => e.type === "PublishInvoiceEvent")
    .map(({ event }) => {
      const seq = seqOf(event);
      const view = seq === undefined ? undefined : invoices.get(seq);
      return {
        id: ids.next(),
        merchantId: event.merchantId,
        orderId: event.orderId,
        eventId: event.eventId,
        event,
        invoiceRow: view ? { ...view, id: view.id.toString() } : null,
      };
    });
}

export interface OutboxOptions {
  prisma: PrismaClient;
  /** Publishes events (acks=all) or throws: the issuer's `outputs.publish`. */
  publish(events: InvoiceEvent[], invoices: Map<number, InvoiceRowView>): Promise<void>;
  logger: Logger;
  /** A row older than this is taken for abandoned and relayed, ms. */
  graceMs: number;
  /** How often the relay looks, ms. */
  intervalMs: number;
  /** Rows relayed per look, at most. Default 200. */
  batchSize?: number;
  onRelayed?: (count: number) => void;
}

export interface Outbox {
  /** These rows' events are on the topic: delete them (batched, best effort — the relay covers a miss). */
  published(ids: readonly bigint[]): void;
  /** One relay pass now; resolves with the number of events relayed. */
  relayOnce(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface StoredRow {
  id: bigint;
  orderId: string;
  event: InvoiceEvent;
  invoiceRow: OutboxRow["invoiceRow"];
}

export function createOutbox(options: OutboxOptions): Outbox {
  const done: bigint[] = [];
  let deleting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let relaying: Promise<number> | undefined;
  let stopped = false;

  async function deletePublished(): Promise<void> {
    while (done.length > 0) {
      const ids = done.splice(0, 5_000);
      try {
        await options.prisma.$executeRawUnsafe(DELETE_ROWS, ids.map(String));
      } catch (error) {
        // Left in place: the relay publishes them again after the grace period (a harmless repeat).
        options.logger.warn({ err: error, rows: ids.length }, "[outbox] published rows not deleted");
        return;
      }
    }
  }

  function flushSoon(): void {
    deleting ??= new Promise<void>((resolve) => setTimeout(resolve, 100))
      .then(deletePublished)
      .finally(() => {
        deleting = undefined;
        if (done.length > 0 && !stopped) flushSoon();
      });
  }

  /**
   * One batch of rows after `afterId`, each published on its own: a row that cannot be published
   * (its mapping refused, the record too large) stays, with a warning, and holds back no other.
   */
  async function relayBatch(afterId: bigint): Promise<{ taken: number; relayed: number; lastId: bigint }> {
    const batchSize = options.batchSize ?? 200;
    return options.prisma.$transaction(
      async (tx: Tx) => {
        // SKIP LOCKED: two instances relaying at once take different rows.
        const rows = await tx.$queryRawUnsafe<StoredRow[]>(
          `SELECT "id", "orderId", "event", "invoiceRow" FROM "InvoiceOutbox"
            WHERE "createdAt" < now() - ($1::int * interval '1 millisecond') AND "id" > $3::bigint
            ORDER BY "id" LIMIT $2 FOR UPDATE SKIP LOCKED`,
          options.graceMs,
          batchSize,
          String(afterId),
        );
        const lastId = rows.at(-1)?.id ?? afterId;
        if (rows.length === 0) return { taken: 0, relayed: 0, lastId };
        const settled = await Promise.allSettled(
          rows.map((row) => {
            const invoices = new Map<number, InvoiceRowView>();
            if (row.invoiceRow)
              invoices.set(row.invoiceRow.seq, { ...row.invoiceRow, id: BigInt(row.invoiceRow.id) });
            return options.publish([row.event], invoices);
          }),
        );
        const sent = rows.filter((_, i) => settled[i]?.status === "fulfilled");
        const failed = rows.flatMap((row, i) => {
          const s = settled[i];
          return s?.status === "rejected" ? [{ row, error: s.reason as unknown }] : [];
        });
        if (failed.length > 0) {
          options.logger.warn(
            {
              err: failed[0]?.error,
              events: failed.length,
              outboxIds: failed.slice(0, 20).map(({ row }) => String(row.id)),
            },
            "[outbox] relay could not publish events; they stay and are tried again",
          );
        }
        if (sent.length === 0) return { taken: rows.length, relayed: 0, lastId };
        await tx.$executeRawUnsafe(
          DELETE_ROWS,
          sent.map((row) => String(row.id)),
        );
        options.logger.warn(
          { events: sent.length, orderIds: [...new Set(sent.map((row) => row.orderId))].slice(0, 20) },
          "[outbox] relayed events committed but not published in time",
        );
        options.onRelayed?.(sent.length);
        return { taken: rows.length, relayed: sent.length, lastId };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }

  /** Walks the whole backlog in id order, a batch per transaction (a backlog waits no extra interval). */
  async function relay(): Promise<number> {
    const batchSize = options.batchSize ?? 200;
    let relayed = 0;
    let afterId = 0n;
    for (;;) {
      const batch = await relayBatch(afterId);
      relayed += batch.relayed;
      afterId = batch.lastId;
      if (batch.taken < batchSize || stopped) return relayed;
    }
  }

  function relayOnce(): Promise<number> {
    relaying ??= relay().finally(() => {
      relaying = undefined;
    });
    return relaying;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      relayOnce()
        .catch((error: unknown) => options.logger.warn({ err: error }, "[outbox] relay pass failed"))
        .finally(schedule);
    }, options.intervalMs);
  }

  return {
    published(ids) {
      if (ids.length === 0) return;
      done.push(...ids);
      flushSoon();
    },
    relayOnce,
    async start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await relaying?.catch(() => undefined);
      await deleting;
      await deletePublished();
    },
  };
}
