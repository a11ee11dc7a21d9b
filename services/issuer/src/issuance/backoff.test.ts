import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.ts";

describe("retryDelayMs", () => {
  const policy = { baseMs: 1_000, maxMs: 8_000 };

  it("doubles per retry between half and all of the ceiling, capped at maxMs", () => {
    expect(retryDelayMs(policy, 0, 0)).toBe(500);
    expect(retryDelayMs(policy, 0, 0.999_999)).toBe(1_000);
    expect(retryDelayMs(policy, 2, 0)).toBe(2_000);
    expect(retryDelayMs(policy, 10, 0.5)).toBe(6_000);
  });

  it("never returns less than half of the base, whatever the jitter", () => {
    for (let retry = 0; retry < 20; retry++) {
      for (const random of [0, 0.25, 0.5, 0.75, 0.99]) {
        expect(retryDelayMs(policy, retry, random)).toBeGreaterThanOrEqual(500);
      }
    }
  });
});
