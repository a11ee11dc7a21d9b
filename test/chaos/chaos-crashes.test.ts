/**
 * Chaos, short variants (issue 9 "Exactly once at the provider", issue 14 "Chaos"): issuer processes
 * SIGKILLed where exactly-once is hardest — between the provider's success and our commit, between
 * our commit and the publish, and one of two instances mid-batch. Each scenario runs the real issuer
 * as child processes against its own simulator, database and topics; `pnpm chaos` runs the long ones.
 */
import { describe, expect, it } from "vitest";
import { expectHeld, runShort, SCENARIO_TIMEOUT_MS } from "./chaos-test-support.ts";

describe("chaos: crashed issuers (short variants)", () => {
  it(
    "SIGKILL between the provider's success and our commit: one invoice per key after restart",
    async () => {
      const result = await runShort("sigkill-before-commit");
      expectHeld(result);
      expect((result.notes.kills as unknown[]).length).toBe(2);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "SIGKILL between our commit and the publish (broker down): the outbox relay publishes every event",
    async () => {
      const result = await runShort("sigkill-before-publish");
      expectHeld(result);
      expect(result.notes.relayedEvents).toBeGreaterThanOrEqual(1);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "two issuer instances, one SIGKILLed mid-batch: the survivor finishes, nothing twice",
    async () => {
      const result = await runShort("two-instances-kill-one");
      expectHeld(result);
      expect((result.notes.kills as Array<{ inFlight: number }>)[0]?.inFlight).toBeGreaterThanOrEqual(2);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
