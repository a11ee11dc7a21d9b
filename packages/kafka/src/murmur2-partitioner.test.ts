import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey } from "./murmur2-partitioner.ts";

describe("murmur2", () => {
  // Reference values from Kafka's UtilsTest#testMurmur2 (Java), which every client port checks.
  it.each([
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ])("hashes %j like the Java client", (key, expected) => {
    expect(murmur2(Buffer.from(key, "utf8"))).toBe(expected);
  });

  it("hashes the empty key", () => {
    expect(murmur2(new Uint8Array())).toBe(275646681);
  });
});

describe("partitionForKey", () => {
  it("accepts a string or its UTF-8 bytes alike, including non-ASCII", () => {
    for (const key of ["order-1", "Đơn hàng 42", "🧾"]) {
      expect(partitionForKey(key, 3)).toBe(partitionForKey(Buffer.from(key, "utf8"), 3));
    }
  });

  it("always lands inside the partition range", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const p = partitionForKey(key, n);
        return Number.isInteger(p) && p >= 0 && p < n;
      }),
    );
  });

  it("rejects a partition count that is not a positive integer", () => {
    expect(() => partitionForKey("x", 0)).toThrow(RangeError);
    expect(() => partitionForKey("x", 2.5)).toThrow(RangeError);
  });
});
