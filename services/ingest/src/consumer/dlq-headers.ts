/**
 * DLQ header names (DESIGN.md section 3), spelled as @invoice/processing's DLQ_HEADERS spells them, in
 * this one module so the swap to that package is an import change. Values are UTF-8 strings; times are
 * epoch milliseconds in decimal. The key and value bytes of a DLQ record are the original's, unchanged.
 */
import { describeChain, innermostPlatformError } from "@invoice/errors";
import type { Headers, IncomingRecord } from "@invoice/kafka";
import type { DeadLetterReason } from "./dispositions.ts";

export const DLQ_HEADERS = {
  originalTopic: "dlq.original.topic",
  originalPartition: "dlq.original.partition",
  originalOffset: "dlq.original.offset",
  originalTimestamp: "dlq.original.timestamp",
  consumerGroup: "dlq.consumer.group",
  /** exhausted | non-retryable | deserialization */
  reason: "dlq.reason",
  errorClass: "dlq.error.class",
  errorCode: "dlq.error.code",
  errorMessage: "dlq.error.message",
  errorStack: "dlq.error.stack",
  failedAt: "dlq.failed-at",
} as const;

const MAX_MESSAGE_CHARS = 1_000;
const MAX_STACK_BYTES = 4_096;

function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= max
    ? text
    : bytes
        .subarray(0, max)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
}

/** The original record's headers (except dlq.* ones) plus the DLQ headers. */
export function dlqHeaders(
  record: IncomingRecord,
  context: { consumerGroup: string; reason: DeadLetterReason; error: unknown; now: number },
): Headers {
  const error = context.error instanceof Error ? context.error : new Error(String(context.error));
  const code = innermostPlatformError(error)?.code;
  const kept = Object.fromEntries(
    Object.entries(record.headers).filter(([name]) => !name.startsWith("dlq.")),
  );
  return {
    ...kept,
    [DLQ_HEADERS.originalTopic]: record.topic,
    [DLQ_HEADERS.originalPartition]: String(record.partition),
    [DLQ_HEADERS.originalOffset]: record.offset,
    [DLQ_HEADERS.originalTimestamp]: record.timestamp,
    [DLQ_HEADERS.consumerGroup]: context.consumerGroup,
    [DLQ_HEADERS.reason]: context.reason,
    [DLQ_HEADERS.errorClass]: error.name,
    ...(code ? { [DLQ_HEADERS.errorCode]: code } : {}),
    [DLQ_HEADERS.errorMessage]: describeChain(error).replace(/\s+/g, " ").slice(0, MAX_MESSAGE_CHARS),
    [DLQ_HEADERS.errorStack]: cutBytes(error.stack ?? "", MAX_STACK_BYTES),
    [DLQ_HEADERS.failedAt]: String(context.now),
  };
}
