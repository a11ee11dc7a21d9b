import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alignRecordMetadata } from "./record-metadata.ts";

describe("alignRecordMetadata", () => {
  it("gives each record its own offset: base offset of its partition + its rank there", () => {
    const bases = new Map([
      [0, "100"],
      [2, "7"],
    ]);
    expect(alignRecordMetadata("t", [2, 0, 2, 0, 0], bases)).toEqual([
      { topic: "t", partition: 2, offset: "7" },
      { topic: "t", partition: 0, offset: "100" },
      { topic: "t", partition: 2, offset: "8" },
      { topic: "t", partition: 0, offset: "101" },
      { topic: "t", partition: 0, offset: "102" },
    ]);
  });

  it("keeps offsets beyond 2^53 exact", () => {
    const [first, second] = alignRecordMetadata("t", [0, 0], new Map([[0, "9007199254740993"]]));
    expect(first?.offset).toBe("9007199254740993");
    expect(second?.offset).toBe("9007199254740994");
  });

  it("refuses a partition the result does not report", () => {
    expect(() => alignRecordMetadata("t", [0, 1], new Map([[0, "0"]]))).toThrow(/t\/1/);
    expect(() => alignRecordMetadata("t", [0], new Map([[0, "-1"]]))).toThrow(/t\/0/);
  });

  it("is aligned with the input and gives each partition a contiguous run in input order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 6, maxLength: 6 }),
        (partitions, baseList) => {
          const bases = new Map(baseList.map((b, p) => [p, b.toString()]));
          const result = alignRecordMetadata("t", partitions, bases);
          expect(result.map((r) => r.partition)).toEqual(partitions);
          for (const [p, base] of bases) {
            const offsets = result.filter((r) => r.partition === p).map((r) => BigInt(r.offset));
            expect(offsets).toEqual(offsets.map((_, i) => BigInt(base) + BigInt(i)));
          }
        },
      ),
    );
  });
});
