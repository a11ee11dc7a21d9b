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
    slot.done = true;
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

  /** The commit point if it moved past the last one marked committed. */
  pendingCommit(): bigint | undefined {
    const point = this.commitPoint();
    if (point === undefined) return undefined;
    return this.committedMark === undefined || point > this.committedMark ? point : undefined;
  }

  markCommitted(offset: bigint): void {
    if (this.committedMark === undefined || offset > this.committedMark) this.committedMark = offset;
  }

  /** Admitted records from the lowest unfinished one on (finished ones behind it included). */
  window(): number {
    return this.slots.length - this.head;
  }
}
