import { describe, expect, it } from "vitest";
import { sampleLatencyMs, seededRandom } from "./dice.ts";

describe("latency dice", () => {
  it("a seed replays the same draws", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it("fixed, uniform and lognormal draws follow their parameters", () => {
    const random = seededRandom(7);
    expect(sampleLatencyMs({ kind: "fixed", ms: 200 }, random)).toBe(200);
    const uniform = Array.from({ length: 2_000 }, () =>
      sampleLatencyMs({ kind: "uniform", minMs: 100, maxMs: 300 }, random),
    );
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(300);
    const lognormal = Array.from({ length: 4_001 }, () =>
      sampleLatencyMs({ kind: "lognormal", medianMs: 200, sigma: 0.5, maxMs: 5_000 }, random),
    ).sort((x, y) => x - y);
    const median = lognormal[2_000] ?? 0;
    const p99 = lognormal[3_960] ?? 0;
    expect(median).toBeGreaterThan(180);
    expect(median).toBeLessThan(220);
    expect(p99 / median).toBeGreaterThan(2.6); // exp(2.326 * 0.5) = 3.2
    expect(p99 / median).toBeLessThan(3.9);
    expect(
      sampleLatencyMs({ kind: "lognormal", medianMs: 200, sigma: 5, maxMs: 1_000 }, () => 0.999_999),
    ).toBeLessThanOrEqual(1_000);
  });
});
