import { describeChain, innermostPlatformError } from "@invoice/errors";
import type { Headers, IncomingRecord } from "@invoice/kafka";
import type { DeadLetterReason } from "./dispositions.ts";

/**
 * Headers of records on a retry topic (the contract is in this package's README). Every value is a
 * UTF-8 string; times are epoch milliseconds in decimal, attempts and partitions decimal integers.
 */
export const RETRY_HEADERS = {
  /** Which retry this record is: "1" for the first. */
  attempt: "retry.attempt",
  /** Not handed to the handler before this time. */
  dueAt: "retry.due-at",
  firstFailureAt: "retry.first-failure-at",
  lastFailureAt: "retry.last-failure-at",
  /** The failing error's name (TypeError, DatabaseError, ...) and, when classified, its code. */
  errorClass: "retry.error.class",
  errorCode: "retry.error.code",
  /** One line: the error and its causes, at most 1,000 characters. */
  errorMessage: "retry.error.message",
  /** Where the record was first consumed from (kept over every retry). */
  originalTopic: "retry.original.topic",
  originalPartition: "retry.original.partition",
  originalOffset: "retry.original.offset",
} as const;

/** Headers of records on a dead-letter topic (the contract is in this package's README). */
export const DLQ_HEADERS = {
  /** The record these bytes were consumed as (for a retried record: its retry-topic copy). */
  originalTopic: "dlq.original.topic",
  originalPartition: "dlq.original.partition",
  originalOffset: "dlq.original.offset",
  /** The original record's Kafka timestamp, epoch ms. */
  originalTimestamp: "dlq.original.timestamp",
  consumerGroup: "dlq.consumer.group",
  /** exhausted | non-retryable | deserialization */
  reason: "dlq.reason",
  errorClass: "dlq.error.class",
  errorCode: "dlq.error.code",
  errorMessage: "dlq.error.message",
  /** The error's stack, cut to at most 4,096 UTF-8 bytes. */
  errorStack: "dlq.error.stack",
  failedAt: "dlq.failed-at",
} as const;

/**
 * Headers of a record an operator tool re-publishes from a dead-letter topic (`invoice dlq replay`):
 * the consumer takes it for an operator's request, not for a redelivery after a crash (the issuer
 * resumes a FAILED order on it; a redelivery only checks open calls).
 */
export const REPLAY_HEADERS = {
  /** Who asked, as the audit names them: ops:<operator>. */
  requestedBy: "replay.requested-by",
  /** The DLQ topic and the record (<partition>:<offset>) the copy was made from. */
  dlqTopic: "replay.dlq.topic",
  dlqRecord: "replay.dlq.record",
  /** The operator action (audit) that sent it. */
  actionId: "replay.action-id",
} as const;

export const MAX_ERROR_MESSAGE_CHARS = 1_000;
export const MAX_STACK_BYTES = 4_096;

export interface RetryInfo {
  attempt: number;
  dueAt: number;
  firstFailureAt: number | undefined;
  lastFailureAt: number | undefined;
  errorClass: string | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  originalTopic: string | undefined;
  originalPartition: number | undefined;
  originalOffset: string | undefined;
}

const OWN_PREFIXES = ["retry.", "dlq."];

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d{1,16}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** The record's due time (0 when it has none or the header is not a number: due at once). */
export function dueAtOf(headers: Headers): number {
  return integer(headers[RETRY_HEADERS.dueAt]) ?? 0;
}

/** Retry metadata of a record from a retry topic; undefined for a first delivery. */
export function readRetryInfo(headers: Headers): RetryInfo | undefined {
  const attempt = integer(headers[RETRY_HEADERS.attempt]);
  if (attempt === undefined) return undefined;
  return {
    attempt,
    dueAt: dueAtOf(headers),
    firstFailureAt: integer(headers[RETRY_HEADERS.firstFailureAt]),
    lastFailureAt: integer(headers[RETRY_HEADERS.lastFailureAt]),
    errorClass: headers[RETRY_HEADERS.errorClass],
    errorCode: headers[RETRY_HEADERS.errorCode],
    errorMessage: headers[RETRY_HEADERS.errorMessage],
    originalTopic: headers[RETRY_HEADERS.originalTopic],
    originalPartition: integer(headers[RETRY_HEADERS.originalPartition]),
    originalOffset: headers[RETRY_HEADERS.originalOffset],
  };
}

export interface ErrorDescription {
  errorClass: string;
  errorCode: string | undefined;
  message: string;
  stack: string;
}

export function describeError(error: unknown): ErrorDescription {
  const errorClass =
    error instanceof Error ? error.name || error.constructor.name : error === null ? "null" : typeof error;
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : String(error);
  return {
    errorClass,
    errorCode: innermostPlatformError(error)?.code,
    message: describeChain(error, MAX_ERROR_MESSAGE_CHARS),
    stack: truncateUtf8(stack, MAX_STACK_BYTES),
  };
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let cut = Buffer.from(text, "utf8").subarray(0, maxBytes).toString("utf8");
  // A split multi-byte character decodes as U+FFFD: drop it.
  while (cut.endsWith("\uFFFD") || Buffer.byteLength(cut, "utf8") > maxBytes) cut = cut.slice(0, -1);
  return cut;
}

/** The record's own headers, without any retry.* / dlq.* ones (eventId, traceparent, content-type stay). */
function passThrough(headers: Headers, keep: readonly string[]): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (OWN_PREFIXES.some((p) => name.startsWith(p)) && !keep.some((p) => name.startsWith(p))) continue;
    out[name] = value;
  }
  return out;
}

export function retryHeaders(
  record: IncomingRecord,
  retry: { dueAt: number; attempt: number; error: unknown },
  now: number,
): Headers {
  const previous = readRetryInfo(record.headers);
  const error = describeError(retry.error);
  const headers: Headers = {
    ...passThrough(record.headers, []),
    [RETRY_HEADERS.attempt]: String(retry.attempt),
    [RETRY_HEADERS.dueAt]: String(Math.round(retry.dueAt)),
    [RETRY_HEADERS.firstFailureAt]: String(previous?.firstFailureAt ?? now),
    [RETRY_HEADERS.lastFailureAt]: String(now),
    [RETRY_HEADERS.errorClass]: error.errorClass,
    [RETRY_HEADERS.errorMessage]: error.message,
    [RETRY_HEADERS.originalTopic]: previous?.originalTopic ?? record.topic,
    [RETRY_HEADERS.originalPartition]: String(previous?.originalPartition ?? record.partition),
    [RETRY_HEADERS.originalOffset]: previous?.originalOffset ?? record.offset,
  };
  if (error.errorCode !== undefined) headers[RETRY_HEADERS.errorCode] = error.errorCode;
  return headers;
}

export function deadLetterHeaders(
  record: IncomingRecord,
  dead: { reason: DeadLetterReason; error: unknown; groupId: string },
  now: number,
): Headers {
  const error = describeError(dead.error);
  const headers: Headers = {
    // Retry headers stay: they tell how many attempts were made and where the record came from.
    ...passThrough(record.headers, ["retry."]),
    [DLQ_HEADERS.originalTopic]: record.topic,
    [DLQ_HEADERS.originalPartition]: String(record.partition),
    [DLQ_HEADERS.originalOffset]: record.offset,
    [DLQ_HEADERS.originalTimestamp]: record.timestamp,
    [DLQ_HEADERS.consumerGroup]: dead.groupId,
    [DLQ_HEADERS.reason]: dead.reason,
    [DLQ_HEADERS.errorClass]: error.errorClass,
    [DLQ_HEADERS.errorMessage]: error.message,
    [DLQ_HEADERS.errorStack]: error.stack,
    [DLQ_HEADERS.failedAt]: String(now),
  };
  if (error.errorCode !== undefined) headers[DLQ_HEADERS.errorCode] = error.errorCode;
  return headers;
}
