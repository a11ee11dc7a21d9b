/**
 * The short chaos variants in the test command (issue 9 "Exactly once at the provider", issue 14
 * "Chaos"): SIGKILL between the provider's success and our commit, SIGKILL between our commit and the
 * publish, two instances with one killed, a PostgreSQL crash and restart, and a burst of poison records. Each runs the real issuer as child processes against its own simulator,
 * database and topics; the long variants and the other scenarios are `pnpm chaos`.
 */
import { describe, expect, it } from "vitest";
import { SCENARIOS, type ScenarioResult } from "./scenarios.ts";

// Wide deadlines: a busy 2-core machine, issuer restarts, a session timeout to wait out.
const SCENARIO_TIMEOUT_MS = 420_000;

async function run(name: string): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario({ short: true });
}

function expectHeld(result: ScenarioResult) {
  expect(result.problems, JSON.stringify(result.notes)).toEqual([]);
  expect(result.lost).toBe(0);
  expect(result.duplicates).toBe(0);
  expect(result.passed).toBe(true);
}

describe("chaos (short variants)", () => {
  it(
    "SIGKILL between the provider's success and our commit: one invoice per key after restart",
    async () => {
      const result = await run("sigkill-before-commit");
      expectHeld(result);
      expect((result.notes.kills as unknown[]).length).toBe(2);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "two issuer instances, one SIGKILLed mid-batch: the survivor finishes, nothing twice",
    async () => {
      expectHeld(await run("two-instances-kill-one"));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "PostgreSQL crashed and restarted mid-workload: the issuer stalls and resumes, every order once",
    async () => {
      const result = await run("postgres-restart");
      expectHeld(result);
      expect(result.notes.issuerRestarts).toBe(0);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "SIGKILL between our commit and the publish (broker down): the outbox relay publishes every event",
    async () => {
      const result = await run("sigkill-before-publish");
      expectHeld(result);
      expect(result.notes.relayedEvents).toBeGreaterThanOrEqual(1);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a burst of poison records among good ones: poison to the DLQ, every good order once",
    async () => {
      expectHeld(await run("poison-burst"));
    },
    SCENARIO_TIMEOUT_MS,
  );
});
