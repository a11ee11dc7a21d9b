import { isRetriable } from "@invoice/errors";
import type { OutgoingRecord, Producer } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { backoffDelay } from "./backoff.ts";

interface Queued {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Sends retry and DLQ records, coalescing what is published in the same tick into one produce
 * request per topic. A retriable failure (broker down) is retried with backoff for as long as it
 * lasts: the records stay unfinished, so nothing is committed past them. A non-retriable one
 * (topic refusing the record for good) rejects: the processor treats that as fatal.
 */
export class OutcomePublisher {
  private readonly queues = new Map<string, Queued[]>();
  private scheduled = false;
  private abandoned = false;

  constructor(
    private readonly producer: Producer,
    private readonly backoff: { initialMs: number; maxMs: number },
    private readonly logger: Logger,
  ) {}

  publish(topic: string, record: OutgoingRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(topic);
      if (!queue) {
        queue = [];
        this.queues.set(topic, queue);
      }
      queue.push({ record, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Stops retrying (the stop deadline passed): what is still unsent stays unfinished. */
  abandon(): void {
    this.abandoned = true;
  }

  private flush(): void {
    this.scheduled = false;
    for (const [topic, queue] of this.queues) {
      this.queues.delete(topic);
      void this.send(topic, queue);
    }
  }

  private async send(topic: string, queued: Queued[]): Promise<void> {
    for (let failures = 1; ; failures++) {
      try {
        await this.producer.send(
          topic,
          queued.map((q) => q.record),
        );
        for (const q of queued) q.resolve();
        return;
      } catch (error) {
        if (!isRetriable(error) || this.abandoned) {
          for (const q of queued) q.reject(error);
          return;
        }
        const delayMs = backoffDelay(failures, this.backoff);
        this.logger.warn(
          { err: error, topic, records: queued.length, delayMs, failures },
          "[processing] publish failed, retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
