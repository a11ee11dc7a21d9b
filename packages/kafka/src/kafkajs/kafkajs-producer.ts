import type { Producer as KafkaJsProducerClient } from "kafkajs";
import { classifyKafkaError } from "../kafka-client-error.ts";
import type { OutgoingRecord, Producer, RecordMetadata } from "../ports.ts";

export class KafkaJsProducer implements Producer {
  private connected = false;

  constructor(private readonly producer: KafkaJsProducerClient) {}

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
    try {
      const result = await this.producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers,
          partition: r.partition,
        })),
      });
      return result.map((m) => ({
        topic: m.topicName,
        partition: m.partition,
        baseOffset: m.baseOffset ?? "-1",
      }));
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
