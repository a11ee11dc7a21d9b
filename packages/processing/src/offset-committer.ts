import type { CommitEntry, Consumer, TopicPartitionOffset } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { encodeFinished } from "./finished-ranges.ts";
import type { ProcessingMetrics } from "./processing-metrics.ts";
import type { PartitionState } from "./work.ts";

/**
 * Commits each partition's lowest unfinished offset when it moved, one commit at a time. A failed
 * commit is only logged and counted: commits are cumulative, so the next interval sends the same
 * (or a later) point. Partitions kept over a rejoin are skipped until their re-fetch was seen (ADR
 * 0011), and revoked ones are gone from the map: the adapter would drop them anyway.
 */
interface Sent {
  part: PartitionState;
  entry: CommitEntry;
  version: number;
}

export class OffsetCommitter {
  private committing: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly metrics: ProcessingMetrics,
    private readonly logger: Logger,
  ) {}

  /** Resolves once no commit is in flight. */
  async idle(): Promise<void> {
    await this.committing;
  }

  commit(partitions: Iterable<PartitionState>): Promise<void> {
    if (this.committing) return this.committing;
    const sent: Sent[] = [];
    for (const part of partitions) {
      if (!part.current || part.awaitingFetch || part.loading) continue;
      const next = part.offsets.pendingCommit();
      if (next === undefined) continue;
      const entry: CommitEntry = {
        topic: part.topic,
        partition: part.partition,
        offset: next.offset.toString(),
      };
      // Finished records above the point, so the next owner skips them (finished-ranges.ts).
      entry.metadata = encodeFinished(next.offset, next.runs);
      sent.push({ part, entry, version: next.version });
    }
    if (sent.length === 0) return Promise.resolve();
    this.committing = this.send(sent).finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  private async send(sent: Sent[]): Promise<void> {
    const mark = (o: TopicPartitionOffset) => {
      const s = sent.find((x) => x.entry.topic === o.topic && x.entry.partition === o.partition);
      s?.part.offsets.markCommitted(BigInt(o.offset), s.version);
    };
    try {
      const result = await this.consumer.commit(sent.map((s) => s.entry));
      for (const o of result.committed) mark(o);
      for (const skipped of result.skipped) {
        this.metrics.commitSkipped(skipped.reason);
        // The broker already has this point (or a later one) from this member: do not send it again.
        if (skipped.reason === "not-ahead") mark(skipped);
      }
    } catch (error) {
      this.metrics.commitFailed();
      this.logger.warn({ err: error }, "[processing] commit failed; retried on the next interval");
    }
  }
}
