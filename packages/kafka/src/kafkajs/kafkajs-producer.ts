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

export class KafkaJsProducer implements Producer {
  private connected = false;
  private readonly choices: PartitionChoices = new WeakMap();
  private readonly producer: KafkaJsProducerClient;

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

  async send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const messages: Message[] = records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: r.partition,
    }));
    let result: Awaited<ReturnType<KafkaJsProducerClient["send"]>>;
    try {
      result = await this.producer.send({ topic, acks: -1, messages });
    } catch (error) {
      throw classifyKafkaError(error);
    }
    try {
      const partitions = messages.map((message) => {
        const partition = this.choices.get(message);
        if (partition === undefined)
          throw new Error(`kafkajs sent a record to ${topic} without partitioning it`);
        return partition;
      });
      const baseOffsets = new Map(
        result.filter((r) => r.topicName === topic).map((r) => [r.partition, r.baseOffset ?? "-1"]),
      );
      return alignRecordMetadata(topic, partitions, baseOffsets);
    } catch (error) {
      // The records are written; only their metadata is missing. Non-retriable, since sending
      // again would duplicate them.
      throw new KafkaClientError(
        `records written to ${topic}, but their offsets cannot be reported: ${(error as Error).message}`,
        "KAFKA_UNKNOWN",
        false,
        { cause: error },
      );
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
