import type { RecordMetadata } from "../ports.ts";

/**
 * Turns kafkajs' per-partition produce result into one entry per input record. Within one produce
 * request the records of a partition form one batch appended in input order, so the record that
 * is the n-th of its partition in this call sits at `baseOffset + n`.
 *
 * `partitions[i]` is the partition records[i] was sent to; `baseOffsets` maps each partition of
 * this call to the offset the broker gave the first of its records. When several sends went out in
 * one request, they are aligned one after the other in request order with one shared
 * `seenInPartition` (how many records of each partition came before).
 */
export function alignRecordMetadata(
  topic: string,
  partitions: readonly number[],
  baseOffsets: ReadonlyMap<number, string>,
  seenInPartition: Map<number, bigint> = new Map(),
): RecordMetadata[] {
  return partitions.map((partition) => {
    const base = baseOffsets.get(partition);
    // With acks=all the broker always reports a base offset (produce v3+, all Kafka 4 speaks); a
    // gap means the client result is not what this code was written against.
    if (base === undefined || base === "-1") {
      throw new Error(`no base offset reported for ${topic}/${partition}`);
    }
    const index = seenInPartition.get(partition) ?? 0n;
    seenInPartition.set(partition, index + 1n);
    return { topic, partition, offset: (BigInt(base) + index).toString() };
  });
}
