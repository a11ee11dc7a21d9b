import type { Consumer, IncomingRecord, Producer } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import type { Disposition } from "./dispositions.ts";
import type { ProcessingMetrics } from "./processing-metrics.ts";
import type { RetryInfo } from "./record-headers.ts";

/** One ready record handed to the handler. */
export interface Delivery<T> {
  readonly record: IncomingRecord;
  /** What `decode` made of the record. */
  readonly value: T;
  /** The record key as UTF-8 text (null for a keyless record). */
  readonly key: string | null;
  /** Attempt metadata when the record came from a retry topic (see RETRY_HEADERS). */
  readonly retry: RetryInfo | undefined;
  /** A child logger with topic, partition, offset and key. */
  readonly log: Logger;
}

/**
 * Called with a batch of ready records, at most one per key, in no particular order; returns one
 * disposition per record, aligned with the input. The call must be atomic: when it throws, none of
 * its records may count as applied (one database transaction per call does that), because the same
 * records are handed over again — all of them after a retriable error (an outage: `isRetriable`),
 * one by one after any other error (to find the poison record, which goes to the DLQ).
 */
export type BatchHandler<T> = (batch: readonly Delivery<T>[]) => Promise<Disposition[]>;

export interface ProcessingLimits {
  /** Records admitted and not finished (queued, held, in the handler, pending), at most. Default 1,000. */
  maxInFlight: number;
  /**
   * Of those, records held until their due time (retry topic), at most. When full, a partition whose
   * next record is not due yet is paused until a held record becomes due; a due record behind it in
   * that partition waits that long. Default maxInFlight / 2.
   */
  maxHeld: number;
  /** Records per handler call, at most. Default 100. */
  maxBatchSize: number;
  /** How long a partial batch waits for more ready records, ms. Default 5. */
  lingerMs: number;
  /** Handler calls in progress at once. Default 4. */
  maxConcurrentBatches: number;
  /**
   * Admitted records of one partition from its lowest unfinished one on (a slow record holds back the
   * commit, not the others). Past this the partition is paused until half of it is committed.
   * Default 50,000.
   */
  maxUncommittedPerPartition: number;
  /** How often finished offsets are committed, ms. Default 500. */
  commitIntervalMs: number;
  /** How long stop() waits for records in the handler or pending before giving up on them, ms. Default 10,000. */
  drainTimeoutMs: number;
  /** Backoff of a batch retried in place after a retriable error, and of retry/DLQ publishing. */
  retryInPlace: { initialMs: number; maxMs: number };
  /** How often a batch waiting for room sends a heartbeat, ms. Default 1,000. */
  heartbeatWhileWaitingMs: number;
}

export interface RecordProcessorOptions<T> {
  /** Names this processor in logs and metrics (bounded: "issuer", "ingest-commerce", ...). */
  name: string;
  /** A consumer of the group, not yet connected; the processor owns its lifecycle. */
  consumer: Consumer;
  /** A connected producer for retry and DLQ records (idempotent, acks=all); the caller owns it. */
  producer: Producer;
  topics: string[];
  /** For a group without committed offsets: start at the log start (true) or end (default). */
  fromBeginning?: boolean;
  /**
   * Turns a record into the handler's value. A non-retriable error sends the record to the DLQ
   * with reason `deserialization`; a retriable one (registry unavailable) retries it in place.
   */
  decode(record: IncomingRecord): T | Promise<T>;
  handle: BatchHandler<T>;
  /** Where `retryAt` dispositions go; a retry without it goes to the DLQ. */
  retryTopic?: string;
  deadLetterTopic: string;
  /** The ordering key; default: the record key bytes (keyless records are ordered per partition). */
  keyOf?(record: IncomingRecord): string | null;
  logger: Logger;
  metrics?: ProcessingMetrics;
  /**
   * The member stopped for good (a consumer crash without restart, or a retry/DLQ topic refusing a
   * record for good): main.ts logs and exits 1 so the orchestrator starts a fresh process.
   */
  onFatal(error: Error): void;
  limits?: Partial<ProcessingLimits>;
  /** Clock, epoch ms (tests). */
  now?: () => number;
}

export function resolveLimits(limits: Partial<ProcessingLimits> = {}): ProcessingLimits {
  const maxInFlight = limits.maxInFlight ?? 1_000;
  const resolved: ProcessingLimits = {
    maxInFlight,
    maxHeld: limits.maxHeld ?? Math.max(1, Math.floor(maxInFlight / 2)),
    maxBatchSize: limits.maxBatchSize ?? 100,
    lingerMs: limits.lingerMs ?? 5,
    maxConcurrentBatches: limits.maxConcurrentBatches ?? 4,
    maxUncommittedPerPartition: limits.maxUncommittedPerPartition ?? 50_000,
    commitIntervalMs: limits.commitIntervalMs ?? 500,
    drainTimeoutMs: limits.drainTimeoutMs ?? 10_000,
    retryInPlace: limits.retryInPlace ?? { initialMs: 200, maxMs: 10_000 },
    heartbeatWhileWaitingMs: limits.heartbeatWhileWaitingMs ?? 1_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === "number" && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`processing limit ${name} must be a finite number >= 0, got ${value}`);
    }
  }
  if (resolved.maxInFlight < 1 || resolved.maxBatchSize < 1 || resolved.maxConcurrentBatches < 1) {
    throw new RangeError("maxInFlight, maxBatchSize and maxConcurrentBatches must be at least 1");
  }
  if (resolved.maxHeld < 1 || resolved.maxHeld > resolved.maxInFlight) {
    throw new RangeError(`maxHeld must be between 1 and maxInFlight (${resolved.maxInFlight})`);
  }
  return resolved;
}
