import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyStatus, parseRetryAfter, retryDelayMs } from "./delivery-backoff.ts";

describe("delivery backoff", () => {
  it("doubles from the base with equal jitter, capped", () => {
    const at = (attempt: number, random: number) =>
      retryDelayMs({ attempt, baseMs: 1_000, maxMs: 60_000, random });
    expect([at(1, 0), at(2, 0), at(3, 0), at(10, 0)]).toEqual([500, 1_000, 2_000, 30_000]);
    expect([at(1, 0.999_999), at(10, 0.999_999)]).toEqual([1_000, 60_000]);
  });

  it("honours a longer Retry-After within the cap", () => {
    expect(retryDelayMs({ attempt: 1, baseMs: 1_000, maxMs: 60_000, random: 0, retryAfterSeconds: 30 })).toBe(
      30_000,
    );
    expect(
      retryDelayMs({ attempt: 1, baseMs: 1_000, maxMs: 60_000, random: 0, retryAfterSeconds: 3_600 }),
    ).toBe(60_000);
  });

  it("stays within [ceiling/2, max] for any attempt (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempt, random) => {
          const d = retryDelayMs({ attempt, baseMs: 100, maxMs: 10_000, random });
          expect(d).toBeGreaterThanOrEqual(Math.min(10_000, 100 * 2 ** Math.min(attempt - 1, 30)) / 2 - 1);
          expect(d).toBeLessThanOrEqual(10_000);
        },
      ),
    );
  });

  it("parses Retry-After seconds and dates", () => {
    expect(parseRetryAfter("120", 0)).toBe(120);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it.each([
    [200, "DELIVERED"],
    [204, "DELIVERED"],
    [408, "RETRY"],
    [429, "RETRY"],
    [500, "RETRY"],
    [503, "RETRY"],
    [400, "FAILED"],
    [404, "FAILED"],
    [410, "FAILED"],
  ])("HTTP %i is %s", (status, outcome) => {
    expect(classifyStatus(status)).toBe(outcome);
  });
});
