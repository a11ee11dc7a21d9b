/**
 * What the chaos test files share: running a scenario's short variant and the checks every one of
 * them must pass (docs/reliability.md "The checks every scenario ends with").
 */
import { expect } from "vitest";
import { SCENARIOS, type ScenarioResult } from "./scenarios.ts";

/** Wide: a busy 2-core machine, issuer restarts, a dead member's session to wait out. */
export const SCENARIO_TIMEOUT_MS = 420_000;

export async function runShort(name: string): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario({ short: true });
}

export function expectHeld(result: ScenarioResult): void {
  expect(result.problems, JSON.stringify(result.notes)).toEqual([]);
  expect(result.lost).toBe(0);
  expect(result.duplicates).toBe(0);
  expect(result.passed).toBe(true);
}
