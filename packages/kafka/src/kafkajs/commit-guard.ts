import type { CommitEntry, CommitSkipReason, TopicPartition, TopicPartitionOffset } from "../ports.ts";

const tpId = (topic: string, partition: number) => `${topic}\u0000${partition}`;

interface Position {
  /** First offset fetched since the last join: the group's committed offset (or the log start). */
  firstFetched?: bigint;
  /** Last offset this member committed since the last join, and its metadata. */
  lastCommitted?: bigint;
  lastMetadata?: string;
}

/**
 * Which commit entries may be sent (issue 7, finding 11). Pure bookkeeping, reset on every group
 * join because kafkajs then re-fetches from the committed offsets:
 * - a partition not assigned now is never committed: after a rebalance another member owns it, and
 *   a late commit of ours would move its offset (backwards, if it got further);
 * - an offset not ahead of the last one committed (or behind the first one fetched) is never sent,
 *   so work finishing out of order cannot move an offset back.
 * Several entries for one partition collapse into the highest.
 */
export class CommitGuard {
  private positions = new Map<string, Position>();

  reset(): void {
    this.positions = new Map();
  }

  fetched(topic: string, partition: number, offset: string): void {
    const position = this.position(topic, partition);
    position.firstFetched ??= BigInt(offset);
  }

  committed(offsets: CommitEntry[]): void {
    for (const o of offsets) {
      const position = this.position(o.topic, o.partition);
      const offset = BigInt(o.offset);
      if (position.lastCommitted === undefined || offset >= position.lastCommitted) {
        position.lastCommitted = offset;
        position.lastMetadata = o.metadata ?? "";
      }
    }
  }

  check(
    offsets: CommitEntry[],
    assignment: TopicPartition[],
  ): { send: CommitEntry[]; skipped: Array<TopicPartitionOffset & { reason: CommitSkipReason }> } {
    const assigned = new Set(assignment.map((tp) => tpId(tp.topic, tp.partition)));
    const highest = new Map<string, CommitEntry>();
    const skipped: Array<TopicPartitionOffset & { reason: CommitSkipReason }> = [];
    for (const o of offsets) {
      const id = tpId(o.topic, o.partition);
      const entry: CommitEntry = { topic: o.topic, partition: o.partition, offset: o.offset };
      if (o.metadata !== undefined) entry.metadata = o.metadata;
      if (!assigned.has(id)) {
        skipped.push({ ...strip(entry), reason: "not-assigned" });
        continue;
      }
      const offset = BigInt(o.offset);
      const position = this.positions.get(id);
      const last = position?.lastCommitted;
      const behind =
        offset < 0n ||
        (last !== undefined && offset < last) ||
        (last !== undefined && offset === last && (o.metadata ?? "") === position?.lastMetadata) ||
        (position?.firstFetched !== undefined && offset < position.firstFetched);
      if (behind) {
        skipped.push({ ...strip(entry), reason: "not-ahead" });
        continue;
      }
      const previous = highest.get(id);
      if (previous && BigInt(previous.offset) >= offset)
        skipped.push({ ...strip(entry), reason: "not-ahead" });
      else {
        if (previous) skipped.push({ ...strip(previous), reason: "not-ahead" });
        highest.set(id, entry);
      }
    }
    return { send: [...highest.values()], skipped };
  }

  private position(topic: string, partition: number): Position {
    const id = tpId(topic, partition);
    let position = this.positions.get(id);
    if (!position) {
      position = {};
      this.positions.set(id, position);
    }
    return position;
  }
}

function strip(entry: CommitEntry): TopicPartitionOffset {
  return { topic: entry.topic, partition: entry.partition, offset: entry.offset };
}
