// vitest setup of the unit project: every fast-check property has a time budget (see property-runs.ts).
// PROPERTY_RUNS (the on-demand `pnpm test:properties`) lifts the budget and sets the run count of
// the properties that do not name one (those that do go through propertyRuns()).
import fc from "fast-check";
import { propertyRuns } from "./property-runs.ts";

if (process.env.PROPERTY_RUNS) {
  fc.configureGlobal({ numRuns: propertyRuns(100) });
} else {
  const budgetMs = Number(process.env.PROPERTY_TIME_BUDGET_MS ?? 10_000);
  fc.configureGlobal({ interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false });
}
