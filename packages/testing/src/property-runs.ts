/**
 * Property tests on a busy machine (issue 6, docs/testing.md "Property tests").
 *
 * The default suite runs each property a modest number of times, and the unit project's setup
 * (`property-budget.setup.ts`) stops any property after PROPERTY_TIME_BUDGET_MS (10 s) with the runs
 * made so far counting: the suite's time is bounded whatever the machine does, with the test timeout
 * (30 s) three times above the budget. `pnpm test:properties` sets PROPERTY_RUNS, which replaces every
 * default count and lifts the time budget, for the many-runs variants on demand.
 */
export function propertyRuns(defaultRuns: number): number {
  const configured = process.env.PROPERTY_RUNS;
  if (configured === undefined || configured === "") return defaultRuns;
  const runs = Number(configured);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`PROPERTY_RUNS must be a positive integer, got ${JSON.stringify(configured)}`);
  }
  return runs;
}
