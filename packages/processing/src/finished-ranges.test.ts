import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFinished, FinishedRanges, type Run } from "./finished-ranges.ts";

describe("finished offsets in commit metadata", () => {
  it("encodes runs relative to the committed offset, as the documented example", () => {
    const text = encodeFinished(100n, [
      [102n, 105n],
      [110n, 111n],
    ]);
    expect(text).toBe("f1:2.3,a.1");
    const ranges = FinishedRanges.parse(100n, text);
    expect([101n, 102n, 104n, 105n, 109n, 110n, 111n].map((o) => ranges.has(o))).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it("encodes nothing when nothing above the commit is finished", () => {
    expect(encodeFinished(5n, [])).toBe("");
    expect(encodeFinished(5n, [[3n, 5n]])).toBe(""); // at or below the committed offset
    expect(FinishedRanges.parse(5n, "").size).toBe(0);
    expect(FinishedRanges.parse(5n, null).size).toBe(0);
  });

  it("leaves out the runs that do not fit, never cutting one", () => {
    const runs: Run[] = Array.from({ length: 2_000 }, (_, i) => [BigInt(2 * i + 1), BigInt(2 * i + 2)]);
    const text = encodeFinished(0n, runs, 100);
    expect(text.length).toBeLessThanOrEqual(100);
    const ranges = FinishedRanges.parse(0n, text);
    expect(ranges.size).toBeGreaterThan(10);
    expect(ranges.size).toBeLessThan(2_000);
  });

  it("distrusts metadata it did not write or that is inconsistent", () => {
    for (const bad of ["hello", "f1:", "f1:2.3,1.1", "f1:0.1", "f1:2.0", "f1:2.x!", "f1:zzzzzzzzzzzzzz.1"]) {
      expect(FinishedRanges.parse(10n, bad).size, bad).toBe(0);
    }
  });

  it("round-trips any set of finished offsets above the commit (random runs)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        fc.uniqueArray(fc.integer({ min: 1, max: 5_000 }), { maxLength: 300 }),
        (committed, raw) => {
          const offsets = [...raw].sort((a, b) => a - b).map((o) => committed + BigInt(o));
          const runs: Run[] = [];
          for (const o of offsets) {
            const last = runs.at(-1);
            if (last && last[1] === o) runs[runs.length - 1] = [last[0], o + 1n];
            else runs.push([o, o + 1n]);
          }
          const ranges = FinishedRanges.parse(committed, encodeFinished(committed, runs, 100_000));
          for (const o of offsets) expect(ranges.has(o)).toBe(true);
          for (let probe = 0n; probe < 50n; probe++) {
            const o = committed + probe;
            expect(ranges.has(o)).toBe(offsets.includes(o));
          }
        },
      ),
    );
  });
});
