import type { Admin, PartitionOffsets } from "./ports.ts";

/** One group's position on one partition, kafka_exporter's view (`kafka_consumergroup_lag`). */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed next-to-read offset; "-1" when it never committed this partition. */
  committed: string;
  /** Log-start and log-end offsets (high watermark) of the partition. */
  low: string;
  high: string;
  /**
   * Records the group still has to read: high − committed. Never committed: high − low (our
   * consumers start from the earliest record). Never negative (a committed offset past a truncated
   * log counts as caught up).
   */
  lag: number;
}

/**
 * Lag of committed offsets against log ends (pure). Partitions of a committed topic that the end
 * offsets do not list (the topic was deleted) are left out.
 */
export function computeLag(
  group: string,
  committed: Array<{ topic: string; partition: number; offset: string }>,
  endsByTopic: ReadonlyMap<string, PartitionOffsets[]>,
): PartitionLag[] {
  const out: PartitionLag[] = [];
  for (const entry of committed) {
    const end = endsByTopic.get(entry.topic)?.find((e) => e.partition === entry.partition);
    if (!end) continue;
    const high = BigInt(end.high);
    const from = entry.offset === "-1" ? BigInt(end.low) : BigInt(entry.offset);
    const lag = high > from ? Number(high - from) : 0;
    out.push({
      group,
      topic: entry.topic,
      partition: entry.partition,
      committed: entry.offset,
      low: end.low,
      high: end.high,
      lag,
    });
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * Lag now for the given groups (all groups when `groups` is undefined), read from the admin API: each
 * group's committed offsets, then the end offsets of every topic they name (one request per topic).
 * `topics`, when given, keeps only those topics.
 */
export async function readConsumerLag(
  admin: Admin,
  options: { groups?: readonly string[]; topics?: readonly string[] } = {},
): Promise<PartitionLag[]> {
  const groups = options.groups ?? (await admin.listGroups());
  const committedByGroup = await Promise.all(
    groups.map(async (group) => {
      const all = await admin.groupCommittedOffsets(group);
      return {
        group,
        committed: options.topics ? all.filter((c) => options.topics?.includes(c.topic)) : all,
      };
    }),
  );
  const topics = [...new Set(committedByGroup.flatMap((g) => g.committed.map((c) => c.topic)))];
  const ends = new Map<string, PartitionOffsets[]>();
  await Promise.all(
    topics.map(async (topic) => {
      ends.set(topic, await admin.topicOffsets(topic));
    }),
  );
  return committedByGroup.flatMap(({ group, committed }) => computeLag(group, committed, ends));
}
