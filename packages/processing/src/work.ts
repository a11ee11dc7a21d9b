import type { IncomingRecord } from "@invoice/kafka";
import type { FinishedRanges } from "./finished-ranges.ts";
import type { ScheduledEntry } from "./key-scheduler.ts";
import { type OffsetSlot, PartitionOffsets } from "./partition-offsets.ts";

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
  /** Records above the committed offset finished already (from the commit metadata): skipped. */
  skip: FinishedRanges | undefined;
  /** Reading the committed metadata; admission waits for it. */
  loading: Promise<void> | undefined;
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

export function newPartitionState(topic: string, partition: number): PartitionState {
  return {
    id: partitionId(topic, partition),
    topic,
    partition,
    offsets: new PartitionOffsets(),
    current: true,
    awaitingFetch: false,
    paused: undefined,
    skip: undefined,
    loading: undefined,
  };
}

/** Promises waiting for a condition another part of the processor signals, each with a timeout. */
export class Waiters {
  private waiting: Array<() => void> = [];

  /** Resolves true when woken, false when `timeoutMs` passed first. */
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  wakeAll(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}
