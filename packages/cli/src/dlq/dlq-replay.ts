import type { IncomingRecord, Producer } from "@invoice/kafka";
import type { OperatorAudit } from "../shared/operator-audit.ts";
import type { ProgressBar } from "../shared/progress-bar.ts";
import { type DlqEntry, replayHeaders } from "./dlq-record.ts";

export interface ReplayItem {
  entry: DlqEntry;
  record: IncomingRecord;
}

export interface ReplayOptions {
  items: readonly ReplayItem[];
  producer: Producer;
  audit: OperatorAudit;
  actionId: bigint;
  /** Who runs the replay (ops:<operator>), on every copy: the consumer's audit names them. */
  actor: string;
  /** Every record to this topic instead of its original one (tests, a staging copy). */
  to?: string;
  dryRun: boolean;
  /** Records per second at most; undefined: as fast as acks=all allows. */
  rate?: number;
  /** Set by Ctrl-C: the run stops before the next record. */
  stopRequested: () => boolean;
  progress: ProgressBar;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayResult {
  selected: number;
  sent: number;
  failed: number;
  dryRun: number;
  interrupted: boolean;
  records: Array<{
    id: string;
    target: string;
    partition: number | null;
    offset: string | null;
    outcome: "SENT" | "FAILED" | "DRY_RUN";
    error?: string;
  }>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Re-publishes DLQ records one at a time, in DLQ order, with their original key and value bytes and
 * their own headers (see replayHeaders), each acknowledged (acks=all) and written to the audit before
 * the next starts. Ctrl-C is honoured between records, never inside one. Replaying a record twice is
 * harmless: the issuer dedupes by eventId.
 */
export async function replayRecords(options: ReplayOptions): Promise<ReplayResult> {
  const { items, producer, audit, actionId, progress } = options;
  const sleep = options.sleep ?? defaultSleep;
  const interval = options.rate ? 1000 / options.rate : 0;
  const result: ReplayResult = {
    selected: items.length,
    sent: 0,
    failed: 0,
    dryRun: 0,
    interrupted: false,
    records: [],
  };
  let next = Date.now();
  for (const [index, { entry, record }] of items.entries()) {
    if (options.stopRequested()) {
      result.interrupted = true;
      break;
    }
    if (interval > 0) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next, Date.now()) + interval;
    }
    const target = options.to ?? entry.replayTopic;
    const base = {
      dlqTopic: entry.dlqTopic,
      dlqPartition: entry.partition,
      dlqOffset: entry.offset,
      recordKey: entry.key,
      eventId: entry.eventId,
      reason: entry.reason,
    };
    if (!target) {
      const error = "the record names no original topic (dlq.original.topic); use --to";
      await audit.record(actionId, {
        ...base,
        targetTopic: "(unknown)",
        targetPartition: null,
        targetOffset: null,
        outcome: "FAILED",
        error,
      });
      result.failed++;
      result.records.push({
        id: entry.id,
        target: "(unknown)",
        partition: null,
        offset: null,
        outcome: "FAILED",
        error,
      });
      progress.tick(index + 1, entry.id);
      continue;
    }
    if (options.dryRun) {
      await audit.record(actionId, {
        ...base,
        targetTopic: target,
        targetPartition: null,
        targetOffset: null,
        outcome: "DRY_RUN",
        error: null,
      });
      result.dryRun++;
      result.records.push({ id: entry.id, target, partition: null, offset: null, outcome: "DRY_RUN" });
      progress.tick(index + 1, entry.id);
      continue;
    }
    try {
      const [metadata] = await producer.send(target, [
        {
          key: record.key,
          value: record.value,
          headers: replayHeaders(record.headers, {
            topic: entry.dlqTopic,
            id: entry.id,
            actionId: actionId.toString(),
            actor: options.actor,
          }),
        },
      ]);
      await audit.record(actionId, {
        ...base,
        targetTopic: target,
        targetPartition: metadata?.partition ?? null,
        targetOffset: metadata?.offset ?? null,
        outcome: "SENT",
        error: null,
      });
      result.sent++;
      result.records.push({
        id: entry.id,
        target,
        partition: metadata?.partition ?? null,
        offset: metadata?.offset ?? null,
        outcome: "SENT",
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await audit.record(actionId, {
        ...base,
        targetTopic: target,
        targetPartition: null,
        targetOffset: null,
        outcome: "FAILED",
        error: message,
      });
      result.failed++;
      result.records.push({
        id: entry.id,
        target,
        partition: null,
        offset: null,
        outcome: "FAILED",
        error: message,
      });
    }
    progress.tick(index + 1, entry.id);
  }
  progress.finish();
  return result;
}
