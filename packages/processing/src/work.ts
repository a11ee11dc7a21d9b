import type { IncomingRecord } from "@invoice/kafka";
import type { ScheduledEntry } from "./key-scheduler.ts";
import type { OffsetSlot, PartitionOffsets } from "./partition-offsets.ts";

/** This member's view of one assigned partition, for one assignment (a new one after revocation). */
export interface PartitionState {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offsets: PartitionOffsets;
  /** False once revoked: work of it still finishing commits nothing. */
  current: boolean;
  /** Kept over a rejoin: no commit until the re-fetch after the join was seen (see ADR 0011). */
  awaitingFetch: boolean;
  /** Paused by the processor, and why. */
  paused: "held" | "window" | undefined;
}

/** One admitted record. */
export interface Work {
  readonly record: IncomingRecord;
  readonly part: PartitionState;
  readonly slot: OffsetSlot;
  readonly key: string | null;
  startedAt: number | undefined;
  pending: boolean;
  finished: boolean;
}

export type WorkEntry = ScheduledEntry<Work>;

export const partitionId = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
