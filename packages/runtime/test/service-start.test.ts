import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { ShutdownInProgressError } from "@invoice/lifecycle";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgres, createService, type ServiceComponent } from "../src/index.ts";
import { logger, processDouble, settledWithin, testConfig } from "./support.ts";

let db: TempDatabase;

beforeAll(async () => {
  db = await createTempDatabase("runtime_start");
});
afterAll(async () => {
  await db?.drop();
});

function recording(
  events: string[],
  name: string,
  overrides: Partial<ServiceComponent> = {},
): ServiceComponent {
  return {
    start: () => void events.push(`start ${name}`),
    stop: () => void events.push(`stop ${name}`),
    ...overrides,
  };
}

describe("service start", () => {
  it("starts components in the reverse of the shutdown order, whatever the registration order", async () => {
    const config = testConfig(db.url);
    const service = createService({ config, logger, signals: false, exit: () => undefined });
    const events: string[] = [];
    await service.addComponent("consumer", recording(events, "consumer"), { phase: "intake" });
    await service.addComponent("workers", recording(events, "workers"), { phase: "drain" });
    await service.addComponent("producer", recording(events, "producer"), { phase: "flush" });
    await service.addComponent("lease", recording(events, "lease"), { phase: "close" });
    expect(events).toEqual([]);
    await service.start();
    expect(service.state).toBe("started");
    await service.shutdown.shutdown("test");
    expect(service.state).toBe("stopped");
    expect(events).toEqual([
      "start lease",
      "start producer",
      "start workers",
      "start consumer",
      "stop consumer",
      "stop workers",
      "stop producer",
      "stop lease",
    ]);
  });

  it("a failed start stops what had started, closes the clients and rejects; what never started is not stopped", async () => {
    const config = testConfig(db.url);
    const process = processDouble();
    const service = createService({ config, logger, signals: false, exit: process.exit });
    service.addClient(createPostgres(config));
    const events: string[] = [];
    await service.addComponent("producer", recording(events, "producer"), { phase: "flush" });
    await service.addComponent(
      "workers",
      recording(events, "workers", {
        start: () => {
          events.push("start workers");
          throw new Error("worker pool could not start");
        },
      }),
      { phase: "drain" },
    );
    await service.addComponent("consumer", recording(events, "consumer"), { phase: "intake" });

    await expect(service.start()).rejects.toThrow("worker pool could not start");
    const report = await service.shutdown.shutdown("again");
    expect(report.reason).toBe("start failed");
    expect(events).toEqual(["start producer", "start workers", "stop workers", "stop producer"]);
    expect(report.steps.find((step) => step.name === "postgres")?.outcome).toBe("stopped");
    expect(process.exits).toEqual([]);
    await expect(
      service.addComponent("late", recording(events, "late"), { phase: "intake" }),
    ).rejects.toThrow(ShutdownInProgressError);
  });

  it("refuses a second start and duplicate names", async () => {
    const config = testConfig(db.url);
    const service = createService({ config, logger, signals: false, exit: () => undefined });
    service.addClient(createPostgres(config));
    expect(() => service.addClient(createPostgres(config))).toThrow(/already registered/);
    await expect(
      service.addComponent(
        "postgres",
        { start: () => undefined, stop: () => undefined, isRunning: () => true },
        { phase: "intake" },
      ),
    ).rejects.toThrow(/already registered/);
    await service.start();
    await expect(service.start()).rejects.toThrow(/already called/);
    await service.shutdown.shutdown("test");
  });

  it("SIGTERM with a wedged component: its step is abandoned at its budget, the clients still close, exit 1 within the grace period", async () => {
    // Time is the subject (the grace period). 3 s gives the wedged step about 1.5 s and the clients
    // the other half: closing PostgreSQL must finish in its share even on a loaded machine.
    const config = testConfig(db.url, { SHUTDOWN_GRACE_MS: "3000" });
    const process = processDouble();
    const service = createService({ config, logger, signals: process.signals, exit: process.exit });
    service.addClient(createPostgres(config));
    let aborted = false;
    await service.addComponent(
      "expiry worker",
      {
        start: () => undefined,
        stop: (signal) =>
          new Promise<void>(() => {
            signal.addEventListener("abort", () => {
              aborted = true;
            });
          }),
      },
      { phase: "drain" },
    );
    await service.start();
    const signalledAt = performance.now();
    process.signals.emit("SIGTERM", "SIGTERM");
    expect(await settledWithin(process.exited, 10_000)).toBe(1);
    expect(performance.now() - signalledAt).toBeLessThan(config.runtime.shutdownGraceMs + 500);
    expect(aborted).toBe(true);
    const report = await service.shutdown.shutdown("again");
    expect(report.steps.map((step) => [step.name, step.outcome])).toEqual([
      ["http server", "stopped"],
      ["expiry worker", "timed_out"],
      ["postgres", "stopped"],
    ]);
  });

  it("SIGTERM during start-up: nothing more starts, what started stops, and the exit is the shutdown's (0)", async () => {
    const config = testConfig(db.url);
    const process = processDouble();
    const service = createService({ config, logger, signals: process.signals, exit: process.exit });
    const events: string[] = [];
    let finishStart: () => void = () => undefined;
    await service.addComponent(
      "producer",
      recording(events, "producer", {
        start: () =>
          new Promise<void>((resolve) => {
            events.push("start producer");
            finishStart = resolve;
          }),
      }),
      { phase: "flush" },
    );
    await service.addComponent("consumer", recording(events, "consumer"), { phase: "intake" });
    const starting = service.start();
    while (events.length === 0) await new Promise((resolve) => setImmediate(resolve));
    process.signals.emit("SIGTERM", "SIGTERM");
    finishStart();
    await expect(starting).rejects.toBeInstanceOf(ShutdownInProgressError);
    expect(await process.exited).toBe(0);
    expect(events).toEqual(["start producer", "stop producer"]);
  });

  it("a component added by another component's start is started in the same start-up", async () => {
    const config = testConfig(db.url);
    const service = createService({ config, logger, signals: false, exit: () => undefined });
    const events: string[] = [];
    await service.addComponent(
      "consumer",
      recording(events, "consumer", {
        start: async () => {
          events.push("start consumer");
          void service.addComponent("lease", recording(events, "lease"), { phase: "close" });
        },
      }),
      { phase: "intake" },
    );
    await service.start();
    await service.shutdown.shutdown("test");
    expect(events).toEqual(["start consumer", "start lease", "stop consumer", "stop lease"]);
  });
});
