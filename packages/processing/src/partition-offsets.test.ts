import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PartitionOffsets } from "./partition-offsets.ts";

describe("PartitionOffsets", () => {
  it("has nothing to commit before the first record", () => {
    const offsets = new PartitionOffsets();
    expect(offsets.commitPoint()).toBeUndefined();
    expect(offsets.pendingCommit()).toBeUndefined();
    expect(offsets.window()).toBe(0);
  });

  it("commits up to the lowest unfinished record", () => {
    const offsets = new PartitionOffsets();
    const [a, b, c] = [10n, 11n, 12n].map((o) => offsets.admit(o));
    expect(offsets.commitPoint()).toBe(10n);
    offsets.finish(c as never);
    offsets.finish(b as never);
    expect(offsets.commitPoint()).toBe(10n);
    expect(offsets.window()).toBe(3);
    offsets.finish(a as never);
    expect(offsets.commitPoint()).toBe(13n);
    expect(offsets.window()).toBe(0);
  });

  it("steps over offset gaps (compacted records, transaction markers)", () => {
    const offsets = new PartitionOffsets();
    const a = offsets.admit(5n);
    const b = offsets.admit(9n);
    offsets.finish(a);
    expect(offsets.commitPoint()).toBe(9n);
    offsets.finish(b);
    expect(offsets.commitPoint()).toBe(10n);
  });

  it("refuses offsets that do not increase", () => {
    const offsets = new PartitionOffsets();
    offsets.admit(3n);
    expect(() => offsets.admit(3n)).toThrow(RangeError);
    expect(() => offsets.admit(2n)).toThrow(RangeError);
  });

  it("reports a pending commit when the point moved or more records above it finished", () => {
    const offsets = new PartitionOffsets();
    const a = offsets.admit(0n);
    const b = offsets.admit(1n);
    const first = offsets.pendingCommit();
    expect(first).toEqual({ offset: 0n, runs: [], version: 0 });
    offsets.markCommitted(0n, first?.version ?? 0);
    expect(offsets.pendingCommit()).toBeUndefined();
    offsets.finish(b);
    const second = offsets.pendingCommit();
    expect(second).toEqual({ offset: 0n, runs: [[1n, 2n]], version: 1 });
    offsets.markCommitted(0n, 1);
    expect(offsets.pendingCommit()).toBeUndefined();
    offsets.finish(a);
    expect(offsets.pendingCommit()?.offset).toBe(2n);
    offsets.markCommitted(2n, 2);
    offsets.markCommitted(0n, 0); // a late, lower mark does not move it back
    expect(offsets.pendingCommit()).toBeUndefined();
  });

  it("lists the finished runs above the lowest unfinished record", () => {
    const offsets = new PartitionOffsets();
    const slots = [10n, 11n, 12n, 13n, 15n, 16n, 20n].map((o) => offsets.admit(o));
    for (const i of [1, 2, 4, 5, 6]) offsets.finish(slots[i] as never);
    expect(offsets.commitPoint()).toBe(10n);
    // 15 and 16 are one run though 14 was never admitted (a gap is no record).
    expect(offsets.finishedRuns()).toEqual([
      [11n, 13n],
      [15n, 21n],
    ]);
    offsets.finish(slots[0] as never);
    expect(offsets.finishedRuns()).toEqual([[15n, 21n]]);
  });

  it("keeps working across compaction of a long window", () => {
    const offsets = new PartitionOffsets();
    const slots = Array.from({ length: 5000 }, (_, i) => offsets.admit(BigInt(i)));
    for (const slot of slots.slice(0, 4000)) offsets.finish(slot);
    expect(offsets.commitPoint()).toBe(4000n);
    expect(offsets.window()).toBe(1000);
    for (const slot of slots.slice(4000)) offsets.finish(slot);
    expect(offsets.commitPoint()).toBe(5000n);
  });

  it("always commits exactly the lowest unfinished offset, whatever the finishing order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (raw, picks) => {
          const sorted = [...raw].sort((x, y) => x - y);
          const offsets = new PartitionOffsets();
          const slots = sorted.map((o) => offsets.admit(BigInt(o)));
          const unfinished = new Set(sorted);
          for (const pick of picks) {
            const remaining = slots.filter((s) => !s.done);
            if (remaining.length === 0) break;
            const slot = remaining[pick % remaining.length];
            if (!slot) break;
            offsets.finish(slot);
            unfinished.delete(Number(slot.offset));
            const lowest = Math.min(...unfinished);
            const expected = unfinished.size === 0 ? BigInt(sorted.at(-1) ?? 0) + 1n : BigInt(lowest);
            expect(offsets.commitPoint()).toBe(expected);
          }
        },
      ),
    );
  });
});
