/**
 * TEMPORARY consumer loop on @invoice/kafka's current port, until @invoice/processing (branch i7-kafka)
 * lands; its RecordProcessor replaces this file with the same `decode` and `handle` (see the ADR 0016
 * "Swap" list). Semantics it keeps meanwhile:
 * - per partition batch, in offset order: decode each record (a non-retriable failure — unknown schema
 *   id, corrupt bytes, wrong magic byte, tombstone — is a DLQ record, reason `deserialization`), then
 *   one `handle` call for the decoded ones, which returns one disposition per record;
 * - DLQ records keep the original key and value bytes, with DLQ headers (dlq-headers.ts);
 * - the offset is committed only after the handler's own output and the DLQ records are acknowledged
 *   (acks=all): a crash re-delivers, never loses;
 * - a retriable failure (registry or broker down, database down) throws: kafkajs retries the batch in
 *   place with backoff, then restarts the member, which re-delivers from the last commit;
 * - the member stopping for good calls `onFatal` (main.ts: service.fatal → exit 1).
 * What it does not do (the processing package does): per-key concurrency inside a partition, retry
 * topics, commit metadata of finished offsets above the commit point.
 */
import { isRetriable } from "@invoice/errors";
import type { Consumer, IncomingRecord, KafkaClient, Producer } from "@invoice/kafka";
import { invoiceCounter, type Logger, type Registry } from "@invoice/observability";
import type { Disposition } from "./dispositions.ts";
import { dlqHeaders } from "./dlq-headers.ts";

export interface Delivery<T> {
  readonly record: IncomingRecord;
  readonly value: T;
  readonly log: Logger;
}

export interface TemporaryConsumerOptions<T> {
  name: string;
  kafka: KafkaClient;
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  deadLetterTopic: string;
  /** A connected producer for DLQ records (idempotent, acks=all); the caller owns it. */
  producer: Producer;
  decode(record: IncomingRecord): Promise<T>;
  handle(batch: readonly Delivery<T>[]): Promise<Disposition[]>;
  logger: Logger;
  metrics: Registry;
  onFatal(error: Error): void;
  /** Records per handler call, at most. Default 200. */
  maxBatch?: number;
  now?: () => number;
}

export interface ConsumerComponent {
  start(): Promise<void>;
  stop(signal: AbortSignal): Promise<void>;
  isRunning(): boolean;
}

/**
 * Retriable by the platform's rule, or a codec error that says so itself (SchemaCodecError is not a
 * PlatformError on the current kafka port: "registry unavailable" must stall, not dead-letter).
 */
export function retriable(error: unknown): boolean {
  return (
    isRetriable(error) || (error instanceof Error && (error as { retriable?: unknown }).retriable === true)
  );
}

export function createTemporaryConsumer<T>(options: TemporaryConsumerOptions<T>): ConsumerComponent {
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 200;
  const processed = invoiceCounter(options.metrics, {
    name: "records_processed",
    help: "Records consumed, by processor, topic and outcome (done, dead_lettered)",
    labelNames: ["processor", "topic", "outcome"],
  });
  let consumer: Consumer | undefined;

  async function processChunk(records: IncomingRecord[]): Promise<void> {
    const decoded: Delivery<T>[] = [];
    const dead: Array<{
      record: IncomingRecord;
      reason: "deserialization" | "non-retryable" | "exhausted";
      error: unknown;
    }> = [];
    for (const record of records) {
      const log = options.logger.child({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key?.toString("utf8") ?? null,
      });
      try {
        decoded.push({ record, value: await options.decode(record), log });
      } catch (error) {
        if (retriable(error)) throw error;
        log.warn({ err: error }, "[DLQ] ingest: record cannot be decoded");
        dead.push({ record, reason: "deserialization", error });
      }
    }
    const dispositions = decoded.length ? await options.handle(decoded) : [];
    if (dispositions.length !== decoded.length) {
      throw new Error(
        `${options.name} handler returned ${dispositions.length} dispositions for ${decoded.length} records`,
      );
    }
    dispositions.forEach((disposition, i) => {
      const delivery = decoded[i];
      if (!delivery) return;
      if (disposition.outcome === "dead-letter") {
        delivery.log.warn(
          { err: disposition.error, reason: disposition.reason },
          "[DLQ] ingest: record refused",
        );
        dead.push({ record: delivery.record, reason: disposition.reason, error: disposition.error });
      } else {
        processed.inc({ processor: options.name, topic: delivery.record.topic, outcome: "done" });
      }
    });
    if (dead.length) {
      await options.producer.send(
        options.deadLetterTopic,
        dead.map(({ record, reason, error }) => ({
          key: record.key,
          value: record.value,
          headers: dlqHeaders(record, { consumerGroup: options.groupId, reason, error, now: now() }),
        })),
      );
      for (const { record } of dead)
        processed.inc({ processor: options.name, topic: record.topic, outcome: "dead_lettered" });
    }
  }

  return {
    async start() {
      const member = options.kafka.consumer({ groupId: options.groupId, maxWaitTimeMs: 250 });
      consumer = member;
      member.onCrash((error, willRestart) => {
        options.logger.error({ err: error, willRestart, consumer: options.name }, "consumer crashed");
        if (!willRestart) options.onFatal(error);
      });
      await member.connect();
      await member.subscribe(options.topics, { fromBeginning: options.fromBeginning ?? false });
      await member.run({
        partitionsConsumedConcurrently: 3,
        eachBatch: async (batch, context) => {
          for (let start = 0; start < batch.records.length; start += maxBatch) {
            if (!context.isRunning() || context.isStale()) return;
            const chunk = batch.records.slice(start, start + maxBatch);
            await processChunk(chunk);
            const last = chunk.at(-1);
            if (last) {
              await member.commit([
                {
                  topic: batch.topic,
                  partition: batch.partition,
                  offset: (BigInt(last.offset) + 1n).toString(),
                },
              ]);
            }
            await context.heartbeat();
          }
        },
      });
    },
    async stop() {
      await consumer?.disconnect();
    },
    isRunning: () => consumer?.isRunning() ?? false,
  };
}

/** The component main.ts registers: the producer connects before the consumer and closes after it. */
export function withProducer(producer: Producer, consumer: ConsumerComponent): ConsumerComponent {
  return {
    async start() {
      await producer.connect();
      await consumer.start();
    },
    async stop(signal) {
      await consumer.stop(signal);
      await producer.disconnect();
    },
    isRunning: () => consumer.isRunning(),
  };
}
