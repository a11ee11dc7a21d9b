import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";
import { deadLetter, done, isDisposition, pending, retryAt } from "./dispositions.ts";

describe("backoffDelay", () => {
  const options = { initialMs: 100, maxMs: 10_000 };
  it("doubles from the initial delay with half of it random", () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(2, options, () => 1)).toBe(200);
    expect(backoffDelay(4, options, () => 0.5)).toBe(600);
  });
  it("never exceeds the cap, even after very many failures", () => {
    for (const failures of [8, 9, 50, 10_000]) {
      expect(backoffDelay(failures, options, () => 1)).toBe(10_000);
      expect(backoffDelay(failures, options, () => 0)).toBe(5_000);
    }
    expect(backoffDelay(0, options, () => 1)).toBe(100);
  });
});

describe("dispositions", () => {
  it("accepts what the constructors build and refuses anything else", () => {
    expect(isDisposition(done())).toBe(true);
    expect(isDisposition(pending(Promise.resolve(done())))).toBe(true);
    expect(isDisposition(retryAt(5, 1, new Error("x")))).toBe(true);
    expect(isDisposition(deadLetter("exhausted", new Error("x")))).toBe(true);
    for (const bad of [
      undefined,
      null,
      "done",
      {},
      { outcome: "retry", dueAt: Number.NaN, attempt: 1 },
      { outcome: "retry", dueAt: 1, attempt: 0 },
      { outcome: "dead-letter", reason: "whatever" },
      { outcome: "pending", settled: {} },
    ]) {
      expect(isDisposition(bad), JSON.stringify(bad)).toBe(false);
    }
  });
  it("refuses a retry without a finite due time or with attempt below 1", () => {
    expect(() => retryAt(Number.POSITIVE_INFINITY, 1, null)).toThrow(RangeError);
    expect(() => retryAt(1, 0, null)).toThrow(RangeError);
    expect(() => retryAt(1, 1.5, null)).toThrow(RangeError);
  });
});
