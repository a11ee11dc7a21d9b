import type { Logger } from "@invoice/observability";
import { type DeadLetter, deadLetter, type RetryLater } from "./dispositions.ts";
import type { OutcomePublisher } from "./outcome-publisher.ts";
import type { ProcessingMetrics, RecordOutcome } from "./processing-metrics.ts";
import { DLQ_HEADERS, deadLetterHeaders, describeError, retryHeaders } from "./record-headers.ts";
import type { Work } from "./work.ts";

export interface OutcomeRouterOptions {
  publisher: OutcomePublisher;
  retryTopic: string | undefined;
  deadLetterTopic: string;
  groupId: string;
  metrics: ProcessingMetrics;
  now: () => number;
  logOf(work: Work): Logger;
  /** The copy is acknowledged: the record is finished. */
  published(work: Work, outcome: RecordOutcome): void;
  /** The copy was refused for good (or abandoned at the stop deadline). */
  failed(error: Error): void;
}

/**
 * Carries out retry and dead-letter dispositions: the original key and value bytes, unchanged, to
 * the retry topic or the DLQ with the header contract of record-headers.ts. A retry without a
 * configured retry topic is a configuration bug: the record goes to the DLQ instead, saying so.
 */
export class OutcomeRouter {
  constructor(private readonly options: OutcomeRouterOptions) {}

  route(work: Work, disposition: RetryLater | DeadLetter): void {
    const { options } = this;
    const log = options.logOf(work);
    const now = options.now();
    let target: string;
    let headers: Record<string, string>;
    let outcome: RecordOutcome;
    if (disposition.outcome === "retry" && options.retryTopic) {
      target = options.retryTopic;
      outcome = "retried";
      headers = retryHeaders(work.record, disposition, now);
      log.info(
        {
          attempt: disposition.attempt,
          dueAt: new Date(disposition.dueAt).toISOString(),
          error: describeError(disposition.error).message,
        },
        "[processing] retry scheduled",
      );
    } else {
      const dead =
        disposition.outcome === "dead-letter"
          ? disposition
          : deadLetter("non-retryable", new Error("retry requested but no retry topic is configured"));
      target = options.deadLetterTopic;
      outcome = "dead_lettered";
      headers = deadLetterHeaders(work.record, { ...dead, groupId: options.groupId }, now);
      log.warn(
        { reason: dead.reason, error: describeError(dead.error).message },
        "[processing] record dead-lettered",
      );
    }
    options.publisher.publish(target, { key: work.record.key, value: work.record.value, headers }).then(
      () => {
        if (outcome === "retried") options.metrics.retryScheduled(work.record.topic);
        else options.metrics.deadLettered(work.record.topic, headers[DLQ_HEADERS.reason] ?? "");
        options.published(work, outcome);
      },
      (error: unknown) => {
        log.error(
          { err: error, target },
          "[processing] a record could not be published to its retry/DLQ topic",
        );
        options.failed(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }
}
