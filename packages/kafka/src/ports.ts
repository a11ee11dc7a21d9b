/**
 * The thin internal Kafka interface every service codes against. The implementation behind it
 * (kafkajs today, see docs/adr/0002) can be swapped without touching a handler.
 *
 * Failure semantics: every method rejects with a `KafkaClientError` whose `retriable` flag says
 * whether the same call may succeed later (broker unavailable, leader moving, timeout) or never will
 * (bad topic name, authorisation, record too large).
 */

export type Headers = Record<string, string>;

export interface OutgoingRecord {
  /** Orders are keyed by orderId; the key decides the partition (Java-compatible murmur2). */
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Headers;
  /** Only for tools that must target a partition explicitly (DLQ replay keeps the original key). */
  partition?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset of the first record of the batch this record was written in. */
  baseOffset: string;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  /** Broker or producer timestamp, epoch milliseconds as a string (Kafka's int64). */
  timestamp: string;
}

export interface Producer {
  connect(): Promise<void>;
  /** Resolves once every record is acknowledged by all in-sync replicas (acks=all). */
  send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read (Kafka's committed-offset convention: last processed + 1). */
  offset: string;
}

export interface BatchContext {
  /** Keeps the group membership alive during long batches. */
  heartbeat(): Promise<void>;
  /** False once stop() was called or the partition was revoked: finish quickly. */
  isRunning(): boolean;
  isStale(): boolean;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
}

export interface ConsumerRunOptions {
  /** Called per fetched batch of one partition; offsets are committed only through commit(). */
  eachBatch(batch: RecordBatch, context: BatchContext): Promise<void>;
  /** Batches of different partitions processed at once (default 1). */
  partitionsConsumedConcurrently?: number;
}

export type AssignmentListener = (assignment: TopicPartition[]) => void;

export interface Consumer {
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  /** Commits the given next-to-read offsets for this consumer's group. */
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Partitions currently assigned to this member (empty before the first join). */
  assignment(): TopicPartition[];
  onAssignment(listener: AssignmentListener): void;
  /** Stops fetching and leaves the group; in-flight eachBatch calls finish first. */
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export interface TopicDescription {
  topic: string;
  partitions: number;
}

export interface PartitionOffsets {
  partition: number;
  /** Log-start offset (earliest available). */
  low: string;
  /** Log-end offset (next offset to be written). */
  high: string;
}

export interface Admin {
  connect(): Promise<void>;
  /**
   * Creates the topics that do not exist yet; existing ones are left as they are (idempotent).
   * Returns the names it created.
   */
  ensureTopics(specs: TopicSpec[]): Promise<string[]>;
  describeTopics(topics: string[]): Promise<TopicDescription[]>;
  deleteTopics(topics: string[]): Promise<void>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Committed offsets of a group; "-1" where the group never committed a partition. */
  groupOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /** Exactly-once per partition on retries (KIP-98 idempotence). Default true. */
  idempotent?: boolean;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Upper bound of one fetch per partition, bytes. */
  maxBytesPerPartition?: number;
  /**
   * How long the broker may hold an empty fetch. Also bounds how long disconnect() waits for the
   * fetch in flight, so it is kept short (default 1000 ms).
   */
  maxWaitTimeMs?: number;
}

export interface KafkaClient {
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
}
