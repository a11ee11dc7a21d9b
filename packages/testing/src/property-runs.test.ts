import { afterEach, describe, expect, it } from "vitest";
import { propertyRuns } from "./property-runs.ts";

describe("propertyRuns", () => {
  const saved = process.env.PROPERTY_RUNS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PROPERTY_RUNS;
    else process.env.PROPERTY_RUNS = saved;
  });

  it("gives the test's own count by default and PROPERTY_RUNS when it is set", () => {
    delete process.env.PROPERTY_RUNS;
    expect(propertyRuns(300)).toBe(300);
    process.env.PROPERTY_RUNS = "20000";
    expect(propertyRuns(300)).toBe(20_000);
  });

  it("refuses a PROPERTY_RUNS that is not a positive integer", () => {
    for (const bad of ["0", "-5", "1.5", "many"]) {
      process.env.PROPERTY_RUNS = bad;
      expect(() => propertyRuns(300), bad).toThrow(/PROPERTY_RUNS must be a positive integer/);
    }
  });
});
