import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { type GuardedProviderAdapter, withCircuitBreakers } from "../src/index.ts";
import { sampleIssueRequest } from "../src/testing/index.ts";
import { type Harness, useHarness } from "./helpers.ts";

const start = useHarness();

// Time is the subject: the open breaker must still be open for the call right after it opened. Those
// steps take milliseconds idle but can stall for hundreds on a loaded machine; 2 s leaves a wide margin.
const RESET_MS = 2_000;

function guard(h: Harness): GuardedProviderAdapter {
  return withCircuitBreakers(h.adapter, {
    registry: h.registry,
    logger: h.logger,
    volumeThreshold: 4,
    errorThresholdPercentage: 50,
    resetTimeoutMs: RESET_MS,
  });
}

async function gauge(h: Harness, operation: string): Promise<number | undefined> {
  const metric = await h.registry.getSingleMetric("invoice_provider_breaker_state")?.get();
  return metric?.values.find((v) => v.labels.operation === operation)?.value;
}

const stateChanges = (h: Harness) =>
  h
    .logs()
    .filter((l) => typeof l.msg === "string" && l.msg.startsWith("provider circuit breaker"))
    .map((l) => `${l.operation}:${l.state}`);

describe("circuit breakers", () => {
  it("outage -> open (fast, not-created failures with the retry time) -> half-open -> recovery", async () => {
    const h = await start();
    const provider = guard(h);
    expect(await gauge(h, "issue")).toBe(0);
    h.simulator.startOutage({ durationMs: 60_000, mode: "503" });
    for (let i = 0; i < 4; i += 1) {
      const outcome = await provider.issue(sampleIssueRequest("company"));
      expect(outcome).toMatchObject({
        kind: "failed",
        error: { code: "PROVIDER_SERVER_ERROR", retriable: true },
      });
    }
    expect(provider.breakerState("issue")).toBe("open");
    expect(await gauge(h, "issue")).toBe(2);
    const callsBefore = h.simulator.report().counters;
    const openedAt = Date.now();
    const refused = await provider.issue(sampleIssueRequest("company"));
    expect(refused.kind).toBe("failed");
    if (refused.kind !== "failed") return;
    expect(refused.error).toMatchObject({
      code: "PROVIDER_BREAKER_OPEN",
      verdict: "not-created",
      retriable: true,
    });
    expect(refused.error.retryAt).toBeGreaterThan(openedAt);
    expect(refused.error.retryAt).toBeLessThanOrEqual(openedAt + RESET_MS);
    // Failing fast: the provider did not see the refused call.
    expect(h.simulator.report().counters.faults.outageRejected).toBe(callsBefore.faults.outageRejected);
    // The lookup breaker is separate and still closed.
    expect(provider.breakerState("lookup")).toBe("closed");

    h.simulator.endOutage();
    await waitFor(() => provider.breakerState("issue") === "half-open", {
      timeoutMs: 10_000,
      description: "half-open",
    });
    expect(await gauge(h, "issue")).toBe(1);
    expect(await provider.issue(sampleIssueRequest("company"))).toMatchObject({ kind: "issued" });
    expect(provider.breakerState("issue")).toBe("closed");
    expect(await gauge(h, "issue")).toBe(0);
    expect(stateChanges(h)).toEqual(["issue:open", "issue:half-open", "issue:closed"]);
    const calls = await h.registry.getSingleMetric("invoice_provider_calls_total")?.get();
    const byOutcome = Object.fromEntries(
      (calls?.values ?? []).map((v) => [`${v.labels.outcome}:${v.labels.code}`, v.value]),
    );
    expect(byOutcome["failed:PROVIDER_BREAKER_OPEN"]).toBe(1);
    expect(byOutcome["issued:"]).toBe(1);
    await provider.close();
  });

  it("a failed probe in half-open opens it again", async () => {
    const h = await start();
    const provider = guard(h);
    h.simulator.startOutage({ durationMs: 60_000, mode: "503" });
    for (let i = 0; i < 4; i += 1) await provider.issue(sampleIssueRequest("company"));
    await waitFor(() => provider.breakerState("issue") === "half-open", {
      timeoutMs: 10_000,
      description: "half-open",
    });
    expect(await provider.issue(sampleIssueRequest("company"))).toMatchObject({ kind: "failed" });
    expect(provider.breakerState("issue")).toBe("open");
    await provider.close();
  });

  it("permanent failures (a merchant's bad series) never open it", async () => {
    const h = await start({ series: { "0100109106": ["1/001|C26TZZ"] } });
    const provider = guard(h);
    for (let i = 0; i < 12; i += 1) {
      expect(await provider.issue(sampleIssueRequest("company"))).toMatchObject({
        kind: "failed",
        error: { code: "PROVIDER_SERIES_NOT_FOUND" },
      });
    }
    expect(provider.breakerState("issue")).toBe("closed");
    await provider.close();
  });
});
