import type { ICustomPartitioner, Kafka, Producer as KafkaJsProducerClient, Message } from "kafkajs";
import { classifyKafkaError, KafkaClientError } from "../kafka-client-error.ts";
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
  topic: string;
  messages: Message[];
  bytes: number;
  resolve(metadata: RecordMetadata[]): void;
  reject(error: unknown): void;
}

/** A request carries several callers' sends up to this many value bytes (the broker takes 1 MiB). */
const MAX_COALESCED_BYTES = 512 * 1024;

/**
 * Sends go out one produce request at a time (idempotence keeps order only with one request in flight
 * in kafkajs), and the sends made while a request is in flight ride together in the next one
 * (`sendBatch`, in call order): many concurrent callers cost one round trip instead of one each. Each
 * caller still gets its own records' metadata, and a failed request fails every send in it (the port's
 * contract: some of their records may be written).
 */
export class KafkaJsProducer implements Producer {
  private connected = false;
  private readonly choices: PartitionChoices = new WeakMap();
  private readonly producer: KafkaJsProducerClient;
  private readonly queue: QueuedSend[] = [];
  private sending = false;

  constructor(kafka: Kafka, options: ProducerOptions = {}) {
    this.producer = kafka.producer({
      idempotent: options.idempotent ?? true,
      // Idempotence keeps order only with one in-flight request per connection in kafkajs.
      maxInFlightRequests: options.idempotent === false ? undefined : 1,
      createPartitioner: javaCompatiblePartitioner(this.choices),
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.producer.connect();
      this.connected = true;
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return Promise.resolve([]);
    const messages: Message[] = records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: r.partition,
    }));
    const bytes = records.reduce((sum, r) => sum + (r.value?.length ?? 0) + (r.key?.length ?? 0), 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, messages, bytes, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  /** Sends the queue, one request at a time, until it is empty. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const sends: QueuedSend[] = [];
        let bytes = 0;
        while (this.queue.length > 0) {
          const next = this.queue[0] as QueuedSend;
          if (sends.length > 0 && bytes + next.bytes > MAX_COALESCED_BYTES) break;
          sends.push(next);
          bytes += next.bytes;
          this.queue.shift();
        }
        await this.request(sends);
      }
    } finally {
      this.sending = false;
    }
  }

  private async request(sends: QueuedSend[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const send of sends) {
      const list = byTopic.get(send.topic) ?? [];
      list.push(...send.messages);
      byTopic.set(send.topic, list);
    }
    let result: Awaited<ReturnType<KafkaJsProducerClient["sendBatch"]>>;
    try {
      result = await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      const classified = classifyKafkaError(error);
      for (const send of sends) send.reject(classified);
      return;
    }
    // Offsets: each send's records follow the earlier sends' records of the same partition.
    const seen = new Map<string, Map<number, bigint>>();
    for (const send of sends) {
      try {
        const partitions = send.messages.map((message) => {
          const partition = this.choices.get(message);
          if (partition === undefined)
            throw new Error(`kafkajs sent a record to ${send.topic} without partitioning it`);
          return partition;
        });
        const baseOffsets = new Map(
          result.filter((r) => r.topicName === send.topic).map((r) => [r.partition, r.baseOffset ?? "-1"]),
        );
        const seenInTopic = seen.get(send.topic) ?? new Map<number, bigint>();
        seen.set(send.topic, seenInTopic);
        send.resolve(alignRecordMetadata(send.topic, partitions, baseOffsets, seenInTopic));
      } catch (error) {
        // The records are written; only their metadata is missing. Non-retriable, since sending
        // again would duplicate them.
        send.reject(
          new KafkaClientError(
            `records written to ${send.topic}, but their offsets cannot be reported: ${(error as Error).message}`,
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
    await this.producer.disconnect();
  }
}
