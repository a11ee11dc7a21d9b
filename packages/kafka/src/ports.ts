/**
 * The thin internal Kafka interface every service codes against. The implementation behind it
 * (kafkajs today, see docs/adr/0002) can be swapped without touching a handler.
 *
 * Failure semantics: every method rejects with a `KafkaClientError` whose `retriable` flag says
 * whether the same call may succeed later (broker unavailable, leader moving, timeout) or never will
 * (bad topic name, authorisation, record too large).
 */
import type { KafkaClientError } from "./kafka-client-error.ts";

export type Headers = Record<string, string>;

export interface OutgoingRecord {
  /** Orders are keyed by orderId; the key decides the partition (Java-compatible murmur2). */
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: Headers;
  /** Only for tools that must target a partition explicitly (DLQ replay keeps the original key). */
  partition?: number;
}

/** Where one record was written; `Producer.send` returns one per input record, in input order. */
export interface RecordMetadata {
  topic: string;
  /** The record's explicit `partition`, else `partitionForKey(key, partition count)` (0 without a key). */
  partition: number;
  /** This record's own offset in its partition (Kafka int64 as a string). */
  offset: string;
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
  /**
   * Resolves once every record is acknowledged by all in-sync replicas (acks=all), with an array
   * aligned with `records`: `result[i]` is where `records[i]` was written. The records of one
   * partition in one call are appended in input order as one contiguous run, so their offsets are
   * consecutive.
   *
   * On rejection some records may already be written (those of another partition leader, or a
   * request whose acknowledgement was lost): sending them again can duplicate them, which is why
   * consumers dedupe by eventId. Within one call, the client's own retries do not duplicate
   * (with the default idempotent producer). A send after a rejected one works normally: the
   * producer never stays broken by a failure whose outcome it could not know.
   */
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

/** A commit entry; `metadata` is stored with the offset (Kafka's offset metadata, ≤ 4,000 chars here). */
export interface CommitEntry extends TopicPartitionOffset {
  metadata?: string;
}

export interface CommittedOffset extends TopicPartitionOffset {
  /** "-1" where the group never committed the partition. */
  offset: string;
  metadata: string | null;
}

export interface BatchContext {
  /** Keeps the group membership alive during long batches; rejects when a rebalance has begun. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the group is rebalancing: finish quickly. */
  isRunning(): boolean;
  isStale(): boolean;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
}

/**
 * What `eachBatch` may return. Nothing: the fetch position moves past the whole batch.
 * `{ nextOffset }`: it moves only to `nextOffset` (the first record not taken); the next fetch of the
 * partition starts there. Only useful together with `pause()` of that partition, otherwise the same
 * records come straight back. This is how a caller with a full buffer takes part of a batch.
 */
export type BatchOutcome = { nextOffset: string } | undefined;

export interface ConsumerRunOptions {
  /** Called per fetched batch of one partition; offsets are committed only through commit(). */
  eachBatch(batch: RecordBatch, context: BatchContext): Promise<BatchOutcome> | Promise<void>;
  /** Batches of different partitions processed at once (default 1). */
  partitionsConsumedConcurrently?: number;
}

/** One change of this member's assignment, reported after every group join and when it stops. */
export interface AssignmentChange {
  /** Everything this member owns now. */
  assigned: TopicPartition[];
  /** Owned before, not now: commits for them are dropped from now on. */
  revoked: TopicPartition[];
  /** Owned now, not before. */
  added: TopicPartition[];
  /**
   * Owned before and after a rejoin. kafkajs re-fetches every partition from the group's committed
   * offset after each join (eager rebalancing), so records after the last commit arrive again.
   */
  kept: TopicPartition[];
}

export type AssignmentListener = (change: AssignmentChange) => void;

/**
 * `willRestart` true: the client rejoins the group by itself after a short pause and re-delivers
 * everything after the last committed offset. False: the member left the group for good
 * (`isRunning()` turns false); the service must stop or replace it (exit, so the orchestrator
 * restarts it), else its share of the partitions is consumed only if other members are running.
 */
export type CrashListener = (error: KafkaClientError, willRestart: boolean) => void;

/** Why a commit entry was not sent (see Consumer.commit). */
export type CommitSkipReason = "not-assigned" | "not-ahead";

export interface CommitResult {
  /** Sent to the group coordinator and acknowledged by it. */
  committed: TopicPartitionOffset[];
  /** Not sent, with the reason; also logged at warn level by the adapter. */
  skipped: Array<TopicPartitionOffset & { reason: CommitSkipReason }>;
}

/**
 * A group member. Failure semantics beyond the ones of this file's header:
 * - an error thrown by `eachBatch` is retried in place (same batch, exponential backoff, up to
 *   `ConsumerOptions.retries` times); once retries are exhausted the consumer crashes and restarts.
 *   An error with `retriable: false`, or a TypeError/RangeError/ReferenceError/SyntaxError (a bug,
 *   for kafkajs), is not retried and crashes the consumer for good. Either way `onCrash` listeners
 *   hear about it, the member leaves the group, and everything after the last commit is re-delivered
 *   to whoever takes the partitions over. (The processing layer, @invoice/processing, never throws
 *   from eachBatch: it handles record failures itself.)
 * - `run()` resolves after the first join attempt and rejects only when it cannot start at all;
 *   a failed join, like every later failure, is reported through `onCrash` and `isRunning()`.
 * - Every join re-fetches all assigned partitions from the committed offsets (see AssignmentChange).
 */
export interface Consumer {
  readonly groupId: string;
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  /**
   * Commits next-to-read offsets for this consumer's group, one call at a time (calls queue up).
   * Entries for partitions not assigned to this member now are skipped ("not-assigned": after a
   * rebalance another member owns them, and a late commit would move its offset), and so are entries
   * not ahead of what this member already committed for the partition since it was assigned, or of
   * the first offset it fetched there ("not-ahead": never backwards; the same offset again is sent
   * only with other metadata). The rest is sent.
   *
   * Resolves only once the coordinator acknowledged what was sent. Rejects with a KafkaClientError
   * when it was not sent or not acknowledged: `KAFKA_NOT_ASSIGNED` (non-retriable) when the consumer
   * is not running or stopped while committing, a rebalancing error when the group moved on
   * (retriable: commit again after the next assignment), a connection error, ...
   */
  commit(offsets: CommitEntry[]): Promise<CommitResult>;
  /** The group's committed offsets and their metadata, read from the coordinator. */
  committed(partitions: TopicPartition[]): Promise<CommittedOffset[]>;
  /**
   * Stops fetching these partitions until resume(). Batches already handed to eachBatch are not
   * affected; a fetch response in flight for them is discarded (its records are fetched again after
   * resume). Survives rebalances (a paused partition that comes back stays paused) and restarts.
   */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /**
   * Pauses every partition (also ones assigned later) and resolves once no eachBatch call is in
   * progress. The membership stays alive (heartbeats) and commit() keeps working, so a caller can
   * drain its own work and commit before disconnect(). Idempotent; there is no way back.
   */
  stopFetching(): Promise<void>;
  /** Partitions currently assigned to this member (empty before the first join). */
  assignment(): TopicPartition[];
  onAssignment(listener: AssignmentListener): void;
  /** Called on every crash of the fetch loop; see CrashListener for what `willRestart` means. */
  onCrash(listener: CrashListener): void;
  /**
   * Health: true from `run()` until `disconnect()` or a crash without restart (still true while a
   * restart is pending). A readiness probe that ignores it keeps a dead consumer "ready".
   */
  isRunning(): boolean;
  /**
   * Graceful stop: stopFetching() (eachBatch calls in progress finish, and commits they make still
   * reach the broker), then leaves the group. Idempotent. commit() rejects afterwards.
   */
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
  /** Every consumer group the cluster knows (the ops CLI's `lag` without arguments). */
  listGroups(): Promise<string[]>;
  /**
   * Every offset the group committed, on every topic it committed for; "-1" for a partition of such a
   * topic the group never committed. Empty for an unknown group.
   */
  groupCommittedOffsets(
    groupId: string,
  ): Promise<Array<{ topic: string; partition: number; offset: string }>>;
  /**
   * Deletes consumer groups and their committed offsets. Rejects (non-retriable) when a group still
   * has members; a group that does not exist counts as deleted.
   */
  deleteGroups(groupIds: string[]): Promise<void>;
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
  /**
   * How many times a failing batch (and a failing group operation) is retried, with exponential
   * backoff, before the consumer crashes and restarts (default 5). Tests set 0 to crash at once.
   */
  retries?: number;
}

export interface KafkaClient {
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
}
