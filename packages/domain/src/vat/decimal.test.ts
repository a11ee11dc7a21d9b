import { propertyRuns } from "@invoice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateLargestRemainder } from "./allocate.ts";
import { parseQuantity, roundHalfUp } from "./decimal.ts";

describe("parseQuantity", () => {
  it.each([
    ["1", 1_000_000n, "1"],
    [1, 1_000_000n, "1"],
    ["1.5", 1_500_000n, "1.5"],
    [0.1, 100_000n, "0.1"],
    ["2.500000", 2_500_000n, "2.5"],
    ["007", 7_000_000n, "7"],
    ["0.000001", 1n, "0.000001"],
    [" 3 ", 3_000_000n, "3"],
    ["999999999999999", 999_999_999_999_999_000_000n, "999999999999999"],
  ])("quantity case %#: %s", (input, scaled, text) => {
    expect(parseQuantity(input)).toEqual({ scaled, text });
  });

  it.each(["0", "0.0", "-1", "1e3", "1,5", "0.0000001", "", "abc", "1.", ".5", "1000000000000000"])(
    "refuses %j",
    (input) => {
      expect(parseQuantity(input)).toBeUndefined();
    },
  );

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 1e-7, 0])("refuses number %s", (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });
});

describe("roundHalfUp", () => {
  it.each([
    [0n, 1n, 0n],
    [5n, 10n, 1n], // 0.5 -> 1
    [4n, 10n, 0n],
    [15n, 10n, 2n], // 1.5 -> 2
    [25n, 10n, 3n], // 2.5 -> 3 (not banker's rounding)
    [249_999n, 100_000n, 2n],
    [250_000n, 100_000n, 3n],
  ])("%s / %s = %s", (n, d, expected) => {
    expect(roundHalfUp(n, d)).toBe(expected);
  });

  it("refuses negative numerators", () => {
    expect(() => roundHalfUp(-1n, 2n)).toThrow(RangeError);
  });
});

describe("allocateLargestRemainder", () => {
  it.each([
    [10n, [1n, 1n, 1n], [4n, 3n, 3n]],
    [0n, [5n, 7n], [0n, 0n]],
    [7n, [0n, 0n, 7n], [0n, 0n, 7n]],
    [1n, [2n, 3n], [0n, 1n]], // tie-free: 0.4 vs 0.6
    [1n, [3n, 3n], [1n, 0n]], // tie: earlier line wins
    [0n, [0n, 0n], [0n, 0n]],
  ])("allocation case %#", (total, weights, expected) => {
    expect(allocateLargestRemainder(total, weights)).toEqual(expected);
  });

  it("shares always add up to the total and each is within 1 of its exact share (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const shares = allocateLargestRemainder(total, weights);
          expect(shares.reduce((a, b) => a + b, 0n)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0n);
          shares.forEach((share, i) => {
            const exactFloor = (total * (weights[i] ?? 0n)) / sum;
            expect(share === exactFloor || share === exactFloor + 1n).toBe(true);
          });
        },
      ),
      { numRuns: propertyRuns(200) },
    );
  });

  it("refuses a non-zero total over zero weights", () => {
    expect(() => allocateLargestRemainder(1n, [0n])).toThrow(RangeError);
  });
});
