/**
 * Chaos, short variants (issue 14 "Chaos"): the servers and the provider fail under a steady workload
 * — PostgreSQL, the Kafka broker and Redis crash and restart (private servers of the scenario's own), the
 * provider is down or slower than our timeout, poison records arrive among good ones. Every scenario
 * ends with the common checks; `pnpm chaos` runs the long variants.
 */
import { describe, expect, it } from "vitest";
import { expectHeld, runShort, SCENARIO_TIMEOUT_MS } from "./chaos-test-support.ts";

describe("chaos: failing servers and provider (short variants)", () => {
  it(
    "PostgreSQL crashed and restarted mid-workload: the issuer stalls and resumes, every order once",
    async () => {
      const result = await runShort("postgres-restart");
      expectHeld(result);
      expect(result.notes.issuerRestarts).toBe(0);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "Redis SIGKILLed under webhook traffic and restarted empty: webhooks keep flowing, every order once",
    async () => {
      const result = await runShort("redis-restart");
      expectHeld(result);
      expect(result.notes.readyDuringOutage).toMatchObject({ status: 200, state: "degraded" });
      expect(result.notes.answersDuringOutage).toHaveProperty("202");
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "the Kafka broker SIGKILLed mid-backlog and restarted: the issuer resumes by itself",
    async () => {
      expectHeld(await runShort("kafka-restart"));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a provider outage: the breaker opens, the backlog drains after it, nothing in the DLQ",
    async () => {
      const result = await runShort("provider-outage");
      expectHeld(result);
      expect(result.notes.outageRejected).toBeGreaterThan(0);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "latency spikes past the client timeout: unknown outcomes looked up before any resend",
    async () => {
      const result = await runShort("latency-spikes");
      expectHeld(result);
      expect(result.notes.timeoutsCreated).toBeGreaterThan(0);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a burst of poison records among good ones: poison to the DLQ, every good order once",
    async () => {
      const result = await runShort("poison-burst");
      expectHeld(result);
      expect(result.notes.dlqReasons).toEqual({ deserialization: result.notes.poison });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
