import type { ICustomPartitioner, Kafka, Producer as KafkaJsProducerClient, Message } from "kafkajs";
import { classifyKafkaError, KafkaClientError, type KafkaErrorCode } from "../kafka-client-error.ts";
import { partitionForKey } from "../murmur2-partitioner.ts";
import type { OutgoingRecord, Producer, ProducerOptions, RecordMetadata } from "../ports.ts";
import { alignRecordMetadata } from "./record-metadata.ts";

/** The partition the partitioner chose for each message object of a send in flight. */
type PartitionChoices = WeakMap<Message, number>;

/**
 * Every record key goes through our own Java-compatible murmur2 function, so the partition of an
 * order is the one `partitionForKey` (and the ops CLI) reports, whatever the client does by default.
 * The choice is remembered per message so `send` reports exactly the partition kafkajs used, with
 * the partition count of the metadata it used, instead of recomputing it from a second lookup.
 */
function javaCompatiblePartitioner(choices: PartitionChoices): ICustomPartitioner {
  return () =>
    ({ partitionMetadata, message }) => {
      let partition: number;
      if (typeof message.partition === "number") partition = message.partition;
      // Keyless records are not part of our design; send them to partition 0 rather than guess.
      else if (message.key === null || message.key === undefined) partition = 0;
      else partition = partitionForKey(message.key, partitionMetadata.length);
      choices.set(message, partition);
      return partition;
    };
}

/** One caller's send waiting for, or riding in, a produce request. */
interface QueuedSend {
  messages: Message[];
  bytes: number;
  resolve(metadata: RecordMetadata[]): void;
  reject(error: unknown): void;
}

/**
 * A request carries several callers' sends up to this many bytes of keys, values and headers (UTF-8),
 * so their records stay well under the broker's 1 MiB per partition batch (message.max.bytes).
 */
const MAX_COALESCED_BYTES = 512 * 1024;

/**
 * Failures where the broker refused the whole request and kafkajs' numbering of batches stayed right:
 * the producer is kept — but only when kafkajs never got as far as partitioning the request's
 * records (so no Produce request was built, in any of its attempts). A refusal in a Produce
 * response is per partition: with one partition's record too large the other partitions' batches
 * are written, kafkajs fails the whole request and takes back their numbers too, and the next batch
 * of the same size is taken by the broker for a retry of the written one — acknowledged with the
 * old offset, never written. After any other failure the outcome is unknown: the producer is replaced.
 */
const WROTE_NOTHING = new Set<KafkaErrorCode>([
  "KAFKA_UNKNOWN_TOPIC",
  "KAFKA_RECORD_TOO_LARGE",
  "KAFKA_INVALID_REQUEST",
  "KAFKA_AUTHORIZATION",
]);

const byteLength = (data: string | Buffer | null | undefined) =>
  data === null || data === undefined ? 0 : typeof data === "string" ? Buffer.byteLength(data) : data.length;

function sizeOf(record: OutgoingRecord): number {
  let bytes = byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {}))
    bytes += byteLength(name) + byteLength(value);
  return bytes;
}

/**
 * Sends go out one produce request per topic at a time (idempotence keeps order only with one request
 * in flight in kafkajs), and the sends to that topic made while a request is in flight ride together
 * in the next one (in call order): many concurrent callers cost one round trip instead of one each.
 * Each caller still gets its own records' metadata. A failed request fails every send in it (the
 * port's contract: some of their records may be written); requests are per topic so that a topic
 * that fails as a whole (missing, not authorised) fails only the sends to it, as it would alone.
 *
 * **After a failed request the idempotent producer is replaced** (a new kafkajs producer, so a new
 * producer id from the broker). kafkajs numbers each partition's batches and, when a request fails,
 * takes the numbers back — even when the broker wrote the batch and only its answer was lost (a
 * connection cut, a broker killed mid-request). The next, different batch then reuses numbers the
 * broker has seen: OUT_OF_ORDER_SEQUENCE_NUMBER on that send and on every send after it, for good
 * (found by the chaos Kafka restart: every InvoiceEvent of the issuer failed and its records were
 * dead-lettered). A fresh producer id starts the numbering again. Not done after a refusal before
 * anything was produced (missing topic, not authorised; see WROTE_NOTHING). The old
 * producer is disconnected once its requests in flight (to other topics) have finished.
 */
export class KafkaJsProducer implements Producer {
  private connected = false;
  private readonly choices: PartitionChoices = new WeakMap();
  private readonly idempotent: boolean;
  /** The kafkajs producer new requests use, and its connect while one is under way or has failed. */
  private producer: KafkaJsProducerClient;
  private ready: Promise<void> | undefined;
  /** `ready` while that connect is under way. */
  private connecting: Promise<void> | undefined;
  /** connect() calls so far: a disconnect() leaves alone a producer connected again since. */
  private connectCalls = 0;
  /** Requests in flight per kafkajs producer (a replaced one is disconnected when it has none). */
  private readonly inFlight = new Map<KafkaJsProducerClient, number>();
  private readonly replaced = new Set<KafkaJsProducerClient>();
  /** Topic → the sends waiting for its next request; present while that topic has one in flight. */
  private readonly queues = new Map<string, QueuedSend[]>();

  constructor(
    private readonly kafka: Kafka,
    options: ProducerOptions = {},
  ) {
    this.idempotent = options.idempotent ?? true;
    this.producer = this.createClient();
  }

  private createClient(): KafkaJsProducerClient {
    return this.kafka.producer({
      idempotent: this.idempotent,
      // Idempotence keeps order only with one in-flight request per connection in kafkajs.
      maxInFlightRequests: this.idempotent ? 1 : undefined,
      createPartitioner: javaCompatiblePartitioner(this.choices),
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connectCalls++;
    await this.readyOfCurrent();
    this.connected = true;
  }

  /** Connects the current kafkajs producer once; a failed connect is tried again by the next caller. */
  private readyOfCurrent(): Promise<void> {
    if (!this.ready) {
      const ready: Promise<void> = this.producer.connect().then(
        () => {
          if (this.connecting === ready) this.connecting = undefined;
        },
        (error: unknown) => {
          if (this.connecting === ready) this.connecting = undefined;
          if (this.ready === ready) this.ready = undefined;
          throw classifyKafkaError(error);
        },
      );
      this.ready = ready;
      this.connecting = ready;
    }
    return this.ready;
  }

  /**
   * The kafkajs producer for a request, connected, its request already counted in `inFlight` (so
   * it is not retired before the request is made). Refused between disconnect() and the next
   * connect(): a send never connects a producer by itself. When the producer was replaced while its
   * caller waited for the connect, the new one is taken: a replaced producer may be disconnecting.
   */
  private async acquire(): Promise<KafkaJsProducerClient> {
    for (;;) {
      if (!this.connected)
        throw new KafkaClientError("The producer is disconnected", "KAFKA_CONNECTION", true);
      const producer = this.producer;
      await this.readyOfCurrent();
      if (!this.connected || producer !== this.producer) continue;
      this.inFlight.set(producer, (this.inFlight.get(producer) ?? 0) + 1);
      return producer;
    }
  }

  /** After a failed request of `failed`: new requests go through a new kafkajs producer. */
  private replace(failed: KafkaJsProducerClient): void {
    if (!this.idempotent || failed !== this.producer || !this.connected) return;
    this.replaced.add(failed);
    this.producer = this.createClient();
    this.ready = undefined;
    this.retireIfIdle(failed);
  }

  private retireIfIdle(producer: KafkaJsProducerClient): void {
    if (!this.replaced.has(producer) || (this.inFlight.get(producer) ?? 0) > 0) return;
    this.replaced.delete(producer);
    this.inFlight.delete(producer);
    void producer.disconnect().catch(() => undefined);
  }

  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return Promise.resolve([]);
    const messages: Message[] = records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: r.partition,
    }));
    const bytes = records.reduce((sum, r) => sum + sizeOf(r), 0);
    return new Promise((resolve, reject) => {
      const send = { messages, bytes, resolve, reject };
      const waiting = this.queues.get(topic);
      if (waiting) {
        waiting.push(send);
        return;
      }
      const queue = [send];
      this.queues.set(topic, queue);
      void this.drain(topic, queue);
    });
  }

  /** Sends the topic's queue, one request at a time, until it is empty. */
  private async drain(topic: string, queue: QueuedSend[]): Promise<void> {
    try {
      while (queue.length > 0) {
        const sends: QueuedSend[] = [];
        let bytes = 0;
        while (queue.length > 0) {
          const next = queue[0] as QueuedSend;
          if (sends.length > 0 && bytes + next.bytes > MAX_COALESCED_BYTES) break;
          sends.push(next);
          bytes += next.bytes;
          queue.shift();
        }
        await this.request(topic, sends);
      }
    } finally {
      this.queues.delete(topic);
    }
  }

  private async request(topic: string, sends: QueuedSend[]): Promise<void> {
    let result: Awaited<ReturnType<KafkaJsProducerClient["send"]>>;
    let producer: KafkaJsProducerClient | undefined;
    try {
      producer = await this.acquire();
      try {
        result = await producer.send({ topic, acks: -1, messages: sends.flatMap((send) => send.messages) });
      } finally {
        this.inFlight.set(producer, (this.inFlight.get(producer) ?? 1) - 1);
      }
    } catch (error) {
      const classified = classifyKafkaError(error);
      // The partitioner runs just before kafkajs builds each attempt's Produce requests.
      const produced = sends.some((send) => send.messages.some((message) => this.choices.has(message)));
      if (producer && (produced || !WROTE_NOTHING.has(classified.code))) this.replace(producer);
      if (producer) this.retireIfIdle(producer);
      for (const send of sends) send.reject(classified);
      return;
    }
    this.retireIfIdle(producer);
    const baseOffsets = new Map(
      result.filter((r) => r.topicName === topic).map((r) => [r.partition, r.baseOffset ?? "-1"]),
    );
    // Offsets: each send's records follow the earlier sends' records of the same partition.
    const seenInPartition = new Map<number, bigint>();
    for (const send of sends) {
      try {
        const partitions = send.messages.map((message) => {
          const partition = this.choices.get(message);
          if (partition === undefined)
            throw new Error(`kafkajs sent a record to ${topic} without partitioning it`);
          return partition;
        });
        send.resolve(alignRecordMetadata(topic, partitions, baseOffsets, seenInPartition));
      } catch (error) {
        // The records are written; only their metadata is missing. Non-retriable, since sending
        // again would duplicate them.
        send.reject(
          new KafkaClientError(
            `records written to ${topic}, but their offsets cannot be reported: ${(error as Error).message}`,
            "KAFKA_UNKNOWN",
            false,
            { cause: error },
          ),
        );
      }
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    const current = this.producer;
    const producers = [current, ...this.replaced];
    this.replaced.clear();
    // A producer still connecting ends up connected after this disconnect (kafkajs marks it
    // connected once its cluster is): disconnected again when that connect has succeeded.
    const connectCalls = this.connectCalls;
    void this.connecting?.then(
      () => (this.connectCalls === connectCalls ? current.disconnect() : undefined),
      () => undefined,
    );
    this.connecting = undefined;
    this.ready = undefined;
    await Promise.all(producers.map((producer) => producer.disconnect()));
  }
}
