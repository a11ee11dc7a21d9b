export {
  type DeadLetter,
  type DeadLetterReason,
  type Disposition,
  type Done,
  deadLetter,
  done,
  type FinalDisposition,
  type Pending,
  pending,
  type RetryLater,
  retryAt,
} from "./dispositions.ts";
export {
  createProcessingMetrics,
  noProcessingMetrics,
  type ProcessingMetrics,
  type RecordOutcome,
} from "./processing-metrics.ts";
export {
  DLQ_HEADERS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_STACK_BYTES,
  REPLAY_HEADERS,
  RETRY_HEADERS,
  type RetryInfo,
  readRetryInfo,
} from "./record-headers.ts";
export { type ProcessorStats, RecordProcessor } from "./record-processor.ts";
export type { BatchHandler, Delivery, ProcessingLimits, RecordProcessorOptions } from "./types.ts";
