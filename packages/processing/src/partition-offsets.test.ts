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

  it("reports a pending commit only when the point moved past the committed mark", () => {
    const offsets = new PartitionOffsets();
    const a = offsets.admit(0n);
    expect(offsets.pendingCommit()).toBe(0n);
    offsets.markCommitted(0n);
    expect(offsets.pendingCommit()).toBeUndefined();
    offsets.finish(a);
    expect(offsets.pendingCommit()).toBe(1n);
    offsets.markCommitted(1n);
    offsets.markCommitted(0n); // a late, lower mark does not move it back
    expect(offsets.pendingCommit()).toBeUndefined();
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
