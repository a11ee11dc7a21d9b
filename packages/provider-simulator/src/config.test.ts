import { describe, expect, it } from "vitest";
import { mergeConfig, parseConfig, parseOutage, SimulatorConfigError } from "./config.ts";

describe("simulator configuration", () => {
  it("fills defaults", () => {
    expect(parseConfig({})).toMatchObject({
      latency: { kind: "fixed", ms: 0 },
      tokenTtlSeconds: 300,
      expiredTokenStyle: "401",
      errors: { rate: 0, status: 500 },
      timeouts: { rate: 0, holdMs: 30_000 },
      async: { rate: 0, delayMs: 1_000 },
    });
  });

  it("merges one level deep; a latency change replaces the distribution", () => {
    const base = parseConfig({
      errors: { rate: 0.5, status: 503 },
      latency: { kind: "uniform", minMs: 1, maxMs: 2 },
    });
    const merged = mergeConfig(base, { errors: { rate: 0.1 }, latency: { kind: "fixed", ms: 5 } });
    expect(merged.errors).toMatchObject({ rate: 0.1, status: 503 });
    expect(merged.latency).toEqual({ kind: "fixed", ms: 5 });
  });

  it("refuses bad values with the path of each problem", () => {
    const problems = (input: unknown) => {
      try {
        parseConfig(input);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(SimulatorConfigError);
        return (error as SimulatorConfigError).issues;
      }
    };
    expect(problems({ errors: { rate: 2 } })[0]).toMatch(/^errors\.rate/);
    expect(problems({ latency: { kind: "uniform", minMs: 5, maxMs: 1 } })[0]).toMatch(
      /minMs must not exceed maxMs/,
    );
    expect(problems({ latency: { kind: "gamma" } })).toHaveLength(1);
    expect(problems({ unknownField: 1 })).toHaveLength(1);
    expect(() => mergeConfig(parseConfig({}), [1])).toThrow(SimulatorConfigError);
    expect(() => parseOutage({ durationMs: 0 })).toThrow(SimulatorConfigError);
    expect(parseOutage({ durationMs: 10 })).toEqual({ durationMs: 10, mode: "503" });
  });
});
