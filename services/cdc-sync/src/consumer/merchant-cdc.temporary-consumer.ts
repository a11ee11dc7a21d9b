/**
 * TEMPORARY: consumes the Merchant topic through @invoice/kafka's Consumer port directly, until the
 * platform's record-processing package (per-key ordering, retry/DLQ routing, rebalance- and
 * shutdown-safe commits) lands; the lead swaps this file for it. Nothing else in cdc-sync depends on
 * it: the handler (handler/merchant-cdc.handler.ts) already has the per-key batch shape.
 *
 * What it does meanwhile, simply:
 * - a fetched partition batch is split into waves holding at most one record per key, applied in
 *   order (per-merchant order kept, merchants of a wave in one transaction);
 * - `retry` dispositions are retried in place with backoff (later waves wait: order is kept) until
 *   they succeed or the consumer stops; nothing past them is committed;
 * - `dead-letter` dispositions are published to the DLQ topic (original key and value bytes, the
 *   original headers plus `dlq.*` headers) before the batch's offset is committed;
 * - the offset after the batch's last record is committed once every record is done or dead-lettered.
 * A crash between a write and the commit redelivers records that were applied already: the LSN rules
 * make that harmless (equal LSN → diffed → unchanged).
 */
import { describeChain } from "@invoice/errors";
import type { Admin, Consumer, IncomingRecord, KafkaClient, Producer } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import type { Disposition } from "../handler/disposition.ts";

export interface MerchantCdcConsumerOptions {
  kafka: KafkaClient;
  admin: Admin;
  topic: string;
  dlqTopic: string;
  groupId: string;
  handle: (records: readonly IncomingRecord[]) => Promise<Disposition[]>;
  logger: Logger;
  /** Read the topic from the beginning when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** First and largest wait between in-place retries. */
  retryBackoffMs?: { initial: number; max: number };
  /** Called after each handled batch (tests and the benchmark wait on it). */
  onBatchDone?: (info: { partition: number; records: number; committed: string }) => void;
}

/** Splits records (partition order) into waves with at most one record per key, keeping per-key order. */
export function waves(records: readonly IncomingRecord[]): IncomingRecord[][] {
  const out: IncomingRecord[][] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const key = record.key === null ? `\u0000${record.offset}` : record.key.toString("base64");
    const wave = seen.get(key) ?? 0;
    seen.set(key, wave + 1);
    const list = out[wave] ?? [];
    list.push(record);
    out[wave] = list;
  }
  return out;
}

export function dlqHeaders(
  record: IncomingRecord,
  groupId: string,
  disposition: Disposition & { outcome: "dead-letter" },
) {
  const { error } = disposition;
  return {
    ...record.headers,
    "dlq.reason": disposition.reason,
    "dlq.error.code": error.code,
    "dlq.error.class": error.name,
    "dlq.error.message": describeChain(error, 1_000),
    "dlq.error.stack": (error.stack ?? "").slice(0, 2_000),
    "dlq.original.topic": record.topic,
    "dlq.original.partition": String(record.partition),
    "dlq.original.offset": record.offset,
    "dlq.original.timestamp": record.timestamp,
    "dlq.consumer.group": groupId,
    "dlq.failed.at": new Date().toISOString(),
  };
}

export function createMerchantCdcConsumer(options: MerchantCdcConsumerOptions) {
  const { kafka, admin, topic, dlqTopic, groupId, handle, logger } = options;
  // Capped well below the session timeout (30 s): the member heartbeats between two tries.
  const backoff = options.retryBackoffMs ?? { initial: 500, max: 10_000 };
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let stopping = false;

  async function ensureDlqTopic() {
    await admin.connect();
    const [source] = await admin.describeTopics([topic]);
    // Same partition count as the source, so a replay keeps each merchant on its partition.
    await admin.ensureTopics([{ topic: dlqTopic, partitions: source?.partitions ?? 1 }]);
  }

  async function deadLetter(records: IncomingRecord[], dispositions: Disposition[]) {
    const out = records.flatMap((record, i) => {
      const d = dispositions[i];
      if (d?.outcome !== "dead-letter") return [];
      return [
        {
          key: record.key,
          value: record.value,
          partition: record.partition,
          headers: dlqHeaders(record, groupId, d),
        },
      ];
    });
    if (out.length === 0) return;
    await producer?.send(dlqTopic, out);
    logger.error({ topic: dlqTopic, records: out.length }, "[DLQ] cdc-sync merchant");
  }

  async function runWave(wave: IncomingRecord[], isRunning: () => boolean, heartbeat: () => Promise<void>) {
    let todo = wave;
    let wait = backoff.initial;
    while (todo.length > 0) {
      const dispositions = await handle(todo);
      await deadLetter(todo, dispositions);
      const again = todo.filter((_r, i) => dispositions[i]?.outcome === "retry");
      if (again.length === 0) return true;
      if (!isRunning() || stopping) return false;
      logger.warn({ records: again.length, waitMs: wait }, "[handleMerchantCDC] retrying in place");
      await new Promise((resolve) => setTimeout(resolve, wait));
      await heartbeat();
      wait = Math.min(backoff.max, wait * 2);
      todo = again;
    }
    return true;
  }

  async function run() {
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (batch, context) => {
        if (batch.records.length === 0) return;
        for (const wave of waves(batch.records)) {
          const finished = await runWave(
            wave,
            () => context.isRunning() && !context.isStale(),
            context.heartbeat,
          );
          if (!finished) return; // stopping or revoked: the rest is redelivered to the next owner
        }
        const last = batch.records[batch.records.length - 1];
        if (!last) return;
        const committed = (BigInt(last.offset) + 1n).toString();
        await consumer?.commit([{ topic: batch.topic, partition: batch.partition, offset: committed }]);
        options.onBatchDone?.({ partition: batch.partition, records: batch.records.length, committed });
      },
    });
    logger.info({ topic, groupId, dlqTopic }, "merchant CDC consumer started");
  }

  let retrying: Promise<void> | undefined;
  let waitingForTopic = false;
  let wake: (() => void) | undefined;

  async function attempt(): Promise<boolean> {
    try {
      await ensureDlqTopic();
      await run();
      return true;
    } catch (error) {
      logger.warn({ err: error, topic }, "merchant CDC consumer cannot start yet (topic missing?); retrying");
      await consumer?.disconnect().catch(() => undefined);
      await producer?.disconnect().catch(() => undefined);
      consumer = undefined;
      producer = undefined;
      return false;
    }
  }

  /**
   * Debezium creates the Merchant topic when commerce's connector first runs, which may be after this
   * service starts: keep trying (logged every attempt, backing off to 30 s) instead of failing start-up.
   */
  async function retryUntilStarted() {
    for (let n = 1; !stopping; n += 1) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** Math.min(n, 5))).unref();
      });
      if (stopping) return;
      if (await attempt()) {
        waitingForTopic = false;
        return;
      }
    }
  }

  return {
    /** One attempt; when the topic is missing the consumer keeps trying in the background. */
    async start() {
      if (await attempt()) return;
      waitingForTopic = true;
      retrying = retryUntilStarted();
    },
    /** Running, or still waiting for the Merchant topic (not a failure: nothing to consume yet). */
    isRunning: () => (consumer?.isRunning() ?? false) || (waitingForTopic && !stopping),
    async stop() {
      stopping = true;
      wake?.();
      await retrying;
      await consumer?.disconnect();
      await producer?.disconnect();
    },
  };
}
