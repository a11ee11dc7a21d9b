import type { Consumer as KafkaJsConsumerClient, KafkaMessage } from "kafkajs";
import { classifyKafkaError } from "../kafka-client-error.ts";
import type {
  AssignmentListener,
  Consumer,
  ConsumerRunOptions,
  CrashListener,
  Headers,
  IncomingRecord,
  TopicPartition,
  TopicPartitionOffset,
} from "../ports.ts";

export class KafkaJsConsumer implements Consumer {
  private connected = false;
  private running = false;
  private currentAssignment: TopicPartition[] = [];
  private readonly listeners: AssignmentListener[] = [];
  private readonly crashListeners: CrashListener[] = [];

  constructor(private readonly consumer: KafkaJsConsumerClient) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.currentAssignment = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      for (const listener of this.listeners) listener(this.currentAssignment);
    });
    consumer.on(consumer.events.STOP, () => {
      this.currentAssignment = [];
    });
    // kafkajs reports a crash of its fetch loop only through this event (run() has long resolved),
    // and after a crash without restart it stays silent forever: without this a service would look
    // healthy while nothing consumes.
    consumer.on(consumer.events.CRASH, (event) => {
      const willRestart = event.payload.restart;
      if (!willRestart) this.running = false;
      const error = classifyKafkaError(event.payload.error);
      for (const listener of this.crashListeners) {
        try {
          listener(error, willRestart);
        } catch {
          // A failing listener must not keep the others from hearing about the crash.
        }
      }
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.consumer.connect();
      this.connected = true;
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async subscribe(topics: string[], options: { fromBeginning?: boolean } = {}): Promise<void> {
    try {
      await this.consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false });
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async run(options: ConsumerRunOptions): Promise<void> {
    // Set before kafkajs starts: a failed first join emits CRASH (restart false) before run()
    // resolves, and that verdict must not be overwritten afterwards.
    this.running = true;
    try {
      await this.consumer.run({
        autoCommit: false,
        // The fetch position moves past a batch once eachBatch resolves; committing is separate and
        // explicit (commit()), so a crash re-delivers everything after the last committed offset.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          await options.eachBatch(
            {
              topic: batch.topic,
              partition: batch.partition,
              records: batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m)),
            },
            { heartbeat, isRunning, isStale },
          );
        },
      });
    } catch (error) {
      this.running = false;
      throw classifyKafkaError(error);
    }
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  assignment(): TopicPartition[] {
    return [...this.currentAssignment];
  }

  onAssignment(listener: AssignmentListener): void {
    this.listeners.push(listener);
  }

  onCrash(listener: CrashListener): void {
    this.crashListeners.push(listener);
  }

  isRunning(): boolean {
    return this.running;
  }

  async disconnect(): Promise<void> {
    this.running = false;
    if (!this.connected) return;
    this.connected = false;
    await this.consumer.disconnect();
    this.currentAssignment = [];
  }
}

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingRecord {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestamp: m.timestamp };
}
