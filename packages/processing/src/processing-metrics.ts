import { invoiceCounter, invoiceGauge, invoiceHistogram, type Registry } from "@invoice/observability";
import type { DeadLetterReason } from "./dispositions.ts";

const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ["exhausted", "non-retryable", "deserialization"];

/** Final outcomes of a record (a revoked or abandoned one has none: it is handled again elsewhere). */
export type RecordOutcome = "done" | "retried" | "dead_lettered";

/** What the processor reports; labels are bounded (processor name, topic, outcome, reason). */
export interface ProcessingMetrics {
  /**
   * The topics the processor consumes: their retry and DLQ counters are exported at 0 from the
   * start. Prometheus' increase() cannot see a counter's first step from "no series" to 1, so
   * without this the first record ever dead-lettered after a start would not fire the DLQ alert.
   */
  subscribed(topics: readonly string[]): void;
  recordFinished(topic: string, outcome: RecordOutcome, seconds: number | undefined): void;
  retryScheduled(topic: string): void;
  deadLettered(topic: string, reason: string): void;
  stalled(topic: string): void;
  commitSkipped(reason: string): void;
  commitFailed(): void;
  inFlight(counts: { queued: number; held: number; active: number; pending: number }): void;
  pausedPartitions(count: number): void;
}

export const noProcessingMetrics: ProcessingMetrics = {
  subscribed() {},
  recordFinished() {},
  retryScheduled() {},
  deadLettered() {},
  stalled() {},
  commitSkipped() {},
  commitFailed() {},
  inFlight() {},
  pausedPartitions() {},
};

/** The processor's metrics in a service's registry, labelled with the processor's name. */
export function createProcessingMetrics(registry: Registry, processor: string): ProcessingMetrics {
  const processed = invoiceCounter(registry, {
    name: "records_processed",
    help: "Records finished by the processing layer, by topic and outcome",
    labelNames: ["processor", "topic", "outcome"],
  });
  const latency = invoiceHistogram(registry, {
    name: "record_processing",
    help: "From handing a record to the handler until it is finished (pending work included)",
    labelNames: ["processor", "topic"],
  });
  const retries = invoiceCounter(registry, {
    name: "record_retries_scheduled",
    help: "Records published to a retry topic",
    labelNames: ["processor", "topic"],
  });
  const dlq = invoiceCounter(registry, {
    name: "dlq_records",
    help: "Records published to a dead-letter topic, by reason",
    labelNames: ["processor", "topic", "reason"],
  });
  const stalls = invoiceCounter(registry, {
    name: "processing_stall_retries",
    help: "Handler calls retried in place after a retriable error (an outage)",
    labelNames: ["processor", "topic"],
  });
  const commitSkips = invoiceCounter(registry, {
    name: "offset_commits_skipped",
    help: "Commit entries not sent: partition not assigned, or offset not ahead",
    labelNames: ["processor", "reason"],
  });
  const commitFailures = invoiceCounter(registry, {
    name: "offset_commit_failures",
    help: "Commits that failed (retried on the next interval)",
    labelNames: ["processor"],
  });
  // At 0 from the start: "no commit failed" is a value on the dashboard, not a panel without data.
  commitFailures.inc({ processor }, 0);
  const inFlight = invoiceGauge(registry, {
    name: "records_in_flight",
    help: "Records admitted and not finished, by state",
    labelNames: ["processor", "state"],
  });
  const paused = invoiceGauge(registry, {
    name: "consumer_paused_partitions",
    help: "Partitions paused by the processing layer (hold bound or uncommitted window full)",
    labelNames: ["processor"],
  });
  return {
    subscribed(topics) {
      for (const topic of topics) {
        retries.inc({ processor, topic }, 0);
        for (const reason of DEAD_LETTER_REASONS) dlq.inc({ processor, topic, reason }, 0);
      }
    },
    recordFinished(topic, outcome, seconds) {
      processed.inc({ processor, topic, outcome });
      if (seconds !== undefined) latency.observe({ processor, topic }, seconds);
    },
    retryScheduled: (topic) => retries.inc({ processor, topic }),
    deadLettered: (topic, reason) => dlq.inc({ processor, topic, reason }),
    stalled: (topic) => stalls.inc({ processor, topic }),
    commitSkipped: (reason) => commitSkips.inc({ processor, reason }),
    commitFailed: () => commitFailures.inc({ processor }),
    inFlight(counts) {
      for (const [state, value] of Object.entries(counts)) inFlight.set({ processor, state }, value);
    },
    pausedPartitions: (count) => paused.set({ processor }, count),
  };
}
