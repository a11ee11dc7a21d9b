import { isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { createComponent } from "./component.ts";
import { ShutdownInProgressError, ShutdownManager } from "./shutdown-manager.ts";
import type { ShutdownPhase } from "./shutdown-phases.ts";
import { captureLogger } from "./test-logger.ts";

const never = () => new Promise<void>(() => undefined);

function manager(gracePeriodMs = 1000, now?: () => number) {
  const logger = captureLogger();
  return { logger, manager: new ShutdownManager({ gracePeriodMs, logger, ...(now ? { now } : {}) }) };
}

describe("ShutdownManager", () => {
  it("stops by phase, whatever the registration order: a producer added after HTTP still stops after it", async () => {
    const { manager: shutdown } = manager();
    const order: string[] = [];
    // The order a service used to register in: clients, then HTTP, then its own parts.
    const steps: Array<[string, ShutdownPhase]> = [
      ["database", "close"],
      ["redis", "close"],
      ["http", "intake"],
      ["producer", "flush"],
      ["offsets", "commit"],
      ["workers", "drain"],
      ["consumer", "intake"],
    ];
    for (const [name, phase] of steps) shutdown.register({ name, phase, stop: () => void order.push(name) });
    const report = await shutdown.shutdown("SIGTERM");
    expect(order).toEqual(["http", "consumer", "workers", "offsets", "producer", "database", "redis"]);
    expect(report.ok).toBe(true);
    expect(report.reason).toBe("SIGTERM");
    expect(report.steps.map((step) => [step.name, step.phase, step.outcome])).toEqual(
      order.map((name) => [name, steps.find(([n]) => n === name)?.[1], "stopped"]),
    );
    expect(shutdown.plan()).toEqual([
      { phase: "intake", steps: ["http", "consumer"] },
      { phase: "drain", steps: ["workers"] },
      { phase: "commit", steps: ["offsets"] },
      { phase: "flush", steps: ["producer"] },
      { phase: "close", steps: ["database", "redis"] },
    ]);
  });

  it("runs the steps of one phase concurrently and the next phase only after all of them", async () => {
    const { manager: shutdown } = manager();
    const events: string[] = [];
    const gates: Array<() => void> = [];
    const held = (name: string) => () =>
      new Promise<void>((resolve) => {
        events.push(`${name} started`);
        gates.push(() => {
          events.push(`${name} done`);
          resolve();
        });
      });
    shutdown.register({ name: "database", phase: "close", stop: () => void events.push("database") });
    shutdown.register({ name: "http", phase: "intake", stop: held("http") });
    shutdown.register({ name: "consumer", phase: "intake", stop: held("consumer") });
    const running = shutdown.shutdown("SIGTERM");
    while (gates.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(["http started", "consumer started"]);
    gates[1]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).not.toContain("database");
    gates[0]?.();
    await running;
    expect(events).toEqual(["http started", "consumer started", "consumer done", "http done", "database"]);
  });

  it("keeps going when a step throws or rejects, and reports it", async () => {
    const { manager: shutdown, logger } = manager();
    const order: string[] = [];
    shutdown.register({ name: "database", phase: "close", stop: () => void order.push("database") });
    shutdown.register({
      name: "producer",
      phase: "flush",
      stop: () => {
        throw new Error("flush failed");
      },
    });
    shutdown.register({
      name: "consumer",
      phase: "intake",
      stop: () => Promise.reject(new Error("commit failed")),
    });
    const report = await shutdown.shutdown("SIGTERM");
    expect(order).toEqual(["database"]);
    expect(report.ok).toBe(false);
    expect(report.steps.map((step) => step.outcome)).toEqual(["failed", "failed", "stopped"]);
    expect(report.steps[0]?.error).toEqual(new Error("commit failed"));
    const failures = logger.entries.filter((entry) => entry.message === "shutdown step failed");
    expect(failures.map((entry) => entry.fields.step)).toEqual(["consumer", "producer"]);
    expect(logger.entries.at(-1)).toMatchObject({
      level: "error",
      message: "shutdown finished with failures",
      fields: { failed: ["consumer", "producer"] },
    });
  });

  it("abandons a step that overruns its budget, aborts its signal and still runs the rest", async () => {
    const { manager: shutdown } = manager(90);
    let aborted: AbortSignal | undefined;
    let databaseClosed = false;
    shutdown.register({
      name: "database",
      phase: "close",
      stop: () => {
        databaseClosed = true;
      },
    });
    shutdown.register({
      name: "consumer",
      phase: "intake",
      stop: (signal) => {
        aborted = signal;
        return never();
      },
    });
    const report = await shutdown.shutdown("SIGTERM");
    expect(report.steps.map((step) => step.outcome)).toEqual(["timed_out", "stopped"]);
    expect(aborted?.aborted).toBe(true);
    expect(databaseClosed).toBe(true);
    expect(report.ok).toBe(false);
  });

  it("gives each phase its weighted share of the time left, rolling unused time over", async () => {
    let clock = 0;
    const { manager: shutdown } = manager(3000, () => clock);
    shutdown.register({ name: "database", phase: "close", stop: () => undefined });
    shutdown.register({ name: "producer", phase: "flush", stop: () => undefined, weight: 2 });
    shutdown.register({
      name: "http",
      phase: "intake",
      stop: () => {
        clock += 100;
      },
    });
    const report = await shutdown.shutdown("SIGTERM");
    // intake: 3000 * 1/4; then 2900 left: flush 2900 * 2/3; it took no time, so close gets all 2900.
    expect(report.steps.map((step) => [step.name, step.budgetMs, step.durationMs])).toEqual([
      ["http", 750, 100],
      ["producer", 1933, 0],
      ["database", 2900, 0],
    ]);
  });

  it("gives every step of a phase the phase's budget, weighted by its heaviest step", async () => {
    const clock = 0;
    const { manager: shutdown } = manager(3000, () => clock);
    shutdown.register({ name: "database", phase: "close", stop: () => undefined });
    shutdown.register({ name: "http", phase: "intake", stop: () => undefined, weight: 2 });
    shutdown.register({ name: "consumer", phase: "intake", stop: () => undefined });
    const report = await shutdown.shutdown("SIGTERM");
    expect(report.steps.map((step) => [step.name, step.budgetMs])).toEqual([
      ["http", 2000],
      ["consumer", 2000],
      ["database", 3000],
    ]);
  });

  it("skips steps once the grace period is exhausted", async () => {
    let clock = 0;
    const { manager: shutdown, logger } = manager(1000, () => clock);
    shutdown.register({ name: "database", phase: "close", stop: () => undefined });
    shutdown.register({
      name: "consumer",
      phase: "intake",
      stop: () => {
        clock += 5000;
      },
    });
    const report = await shutdown.shutdown("SIGTERM");
    expect(report.steps.map((step) => step.outcome)).toEqual(["stopped", "skipped"]);
    expect(logger.messages()).toContain("shutdown step skipped: grace period exhausted");
  });

  it("is idempotent: repeated calls share one run and stop each step once", async () => {
    const { manager: shutdown } = manager();
    let stops = 0;
    shutdown.register({ name: "consumer", phase: "intake", stop: () => void stops++ });
    expect(shutdown.state).toBe("running");
    const first = shutdown.shutdown("SIGTERM");
    const second = shutdown.shutdown("SIGINT");
    expect(second).toBe(first);
    expect(shutdown.state).toBe("stopping");
    const report = await first;
    expect(shutdown.state).toBe("stopped");
    expect(await shutdown.shutdown("again")).toBe(report);
    expect(report.reason).toBe("SIGTERM");
    expect(stops).toBe(1);
  });

  it("refuses registration once shutdown has started", () => {
    const { manager: shutdown } = manager();
    void shutdown.shutdown("SIGTERM");
    expect(() => shutdown.register({ name: "late", phase: "close", stop: () => undefined })).toThrow(
      ShutdownInProgressError,
    );
    try {
      shutdown.register({ name: "late", phase: "close", stop: () => undefined });
    } catch (error) {
      expect(error).toMatchObject({ code: "SHUTDOWN_IN_PROGRESS", retriable: false, step: "late" });
      expect(isRetriable(error)).toBe(false);
    }
  });

  it.each([
    ["duplicate name", "consumer", "close", 1, /already registered/],
    ["zero weight", "other", "close", 0, /weight/],
    ["negative weight", "other", "close", -1, /weight/],
    ["NaN weight", "other", "close", Number.NaN, /weight/],
    ["missing phase", "other", undefined, 1, /phase of "other" must be one of intake, drain/],
    ["unknown phase", "other", "later", 1, /phase/],
  ])("refuses a %s", (_name, name, phase, weight, message) => {
    const { manager: shutdown } = manager();
    shutdown.register({ name: "consumer", phase: "intake", stop: () => undefined });
    expect(() =>
      shutdown.register({ name, phase: phase as ShutdownPhase, stop: () => undefined, weight }),
    ).toThrow(message);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a grace period of %s", (gracePeriodMs) => {
    expect(() => new ShutdownManager({ gracePeriodMs, logger: captureLogger() })).toThrow(RangeError);
  });

  it("registers components and stops them through their idempotent stop", async () => {
    const { manager: shutdown } = manager();
    let stops = 0;
    const component = createComponent({ start: () => undefined, stop: () => void stops++ });
    await component.start();
    shutdown.registerComponent("http", component, { phase: "intake" });
    await component.stop();
    const report = await shutdown.shutdown("SIGTERM");
    expect(report.steps[0]).toMatchObject({ name: "http", phase: "intake", outcome: "stopped" });
    expect(stops).toBe(1);
  });

  it("logs start with the plan, each step with its phase and duration, and the end", async () => {
    const { manager: shutdown, logger } = manager();
    shutdown.register({ name: "database", phase: "close", stop: () => undefined });
    shutdown.register({ name: "http", phase: "intake", stop: () => undefined });
    await shutdown.shutdown("SIGTERM");
    expect(logger.messages()).toEqual([
      "shutdown started",
      "shutdown step started",
      "shutdown step stopped",
      "shutdown step started",
      "shutdown step stopped",
      "shutdown finished",
    ]);
    expect(logger.entries[0]?.fields).toMatchObject({
      reason: "SIGTERM",
      steps: ["http", "database"],
      phases: [
        { phase: "intake", steps: ["http"] },
        { phase: "close", steps: ["database"] },
      ],
    });
    const stopped = logger.entries.filter((entry) => entry.message === "shutdown step stopped");
    expect(stopped.map((entry) => [entry.fields.step, entry.fields.phase])).toEqual([
      ["http", "intake"],
      ["database", "close"],
    ]);
    for (const entry of stopped) expect(typeof entry.fields.durationMs).toBe("number");
  });
});
