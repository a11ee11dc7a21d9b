import type { Run } from "./finished-ranges.ts";

/** One admitted record's place in its partition's offset order. */
export interface OffsetSlot {
  readonly offset: bigint;
  done: boolean;
}

/**
 * The offsets of one partition this member has admitted, in order, and which of them are finished.
 * The offset to commit is the lowest unfinished one (Kafka's committed offset means "everything
 * below is done"), or one past the last admitted when all are finished. Records finish out of order
 * (other keys, pending provider calls), so finished records above a slow one wait in the window and
 * come again after a crash: that is the price of a single committed offset per partition.
 */
export class PartitionOffsets {
  private slots: OffsetSlot[] = [];
  private head = 0;
  private last: bigint | undefined;
  private committedMark: bigint | undefined;
  /** Bumped on every finish: the finished runs above the point may have changed. */
  private version = 0;
  private committedVersion = -1;

  /** Records must be admitted in increasing offset order (gaps allowed: compaction, markers). */
  admit(offset: bigint): OffsetSlot {
    if (this.last !== undefined && offset <= this.last) {
      throw new RangeError(`offset ${offset} admitted after ${this.last}`);
    }
    const slot: OffsetSlot = { offset, done: false };
    this.slots.push(slot);
    this.last = offset;
    return slot;
  }

  finish(slot: OffsetSlot): void {
    if (slot.done) return;
    slot.done = true;
    this.version += 1;
    while (this.head < this.slots.length && this.slots[this.head]?.done) this.head += 1;
    // Compact now and then, so a long-running partition does not keep every slot it ever had.
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }

  lastAdmitted(): bigint | undefined {
    return this.last;
  }

  /** Next offset to commit, or undefined while nothing was admitted. */
  commitPoint(): bigint | undefined {
    if (this.last === undefined) return undefined;
    return this.slots[this.head]?.offset ?? this.last + 1n;
  }

  /**
   * What to commit next — the point and the finished runs above it (for the commit metadata) — or
   * undefined when nothing changed since the last commit marked with markCommitted.
   */
  pendingCommit(): { offset: bigint; runs: Run[]; version: number } | undefined {
    const point = this.commitPoint();
    if (point === undefined) return undefined;
    if (this.committedMark !== undefined) {
      if (point < this.committedMark) return undefined;
      if (point === this.committedMark && this.version === this.committedVersion) return undefined;
    }
    return { offset: point, runs: this.finishedRuns(), version: this.version };
  }

  markCommitted(offset: bigint, version: number): void {
    if (this.committedMark === undefined || offset > this.committedMark) {
      this.committedMark = offset;
      this.committedVersion = version;
    } else if (offset === this.committedMark && version > this.committedVersion) {
      this.committedVersion = version;
    }
  }

  /** Runs of finished records above the lowest unfinished one, as [start, end) offsets. */
  finishedRuns(): Run[] {
    const runs: Run[] = [];
    let start: bigint | undefined;
    let end: bigint | undefined;
    for (let i = this.head; i < this.slots.length; i++) {
      const slot = this.slots[i] as OffsetSlot;
      if (slot.done) {
        start ??= slot.offset;
        end = slot.offset + 1n;
      } else if (start !== undefined && end !== undefined) {
        runs.push([start, end]);
        start = undefined;
      }
    }
    if (start !== undefined && end !== undefined) runs.push([start, end]);
    return runs;
  }

  /** Admitted records from the lowest unfinished one on (finished ones behind it included). */
  window(): number {
    return this.slots.length - this.head;
  }
}
