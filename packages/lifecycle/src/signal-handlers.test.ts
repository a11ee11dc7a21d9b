import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createProcessExit, EXIT_CLEAN, EXIT_FAILED } from "./process-exit.ts";
import { ShutdownManager, type ShutdownReport } from "./shutdown-manager.ts";
import { installSignalHandlers, type SignalSource } from "./signal-handlers.ts";
import { captureLogger } from "./test-logger.ts";

function setup(gracePeriodMs = 1000) {
  const logger = captureLogger();
  const manager = new ShutdownManager({ gracePeriodMs, logger });
  const source = new EventEmitter() as EventEmitter & SignalSource;
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const exit = (code: number) => {
    exits.push(code);
    resolveExit(code);
  };
  return { logger, manager, source, exits, exited, exit };
}

describe("installSignalHandlers", () => {
  it("shuts down on SIGTERM and exits 0 when every step stopped", async () => {
    const { logger, manager, source, exits, exited, exit } = setup();
    const stopped: string[] = [];
    manager.register({ name: "http", phase: "intake", stop: () => void stopped.push("http") });
    installSignalHandlers(manager, { logger, source, exit });
    source.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(EXIT_CLEAN);
    expect(stopped).toEqual(["http"]);
    expect(exits).toEqual([EXIT_CLEAN]);
  });

  it("exits 1 when a step failed", async () => {
    const { logger, manager, source, exited, exit } = setup();
    manager.register({
      name: "producer",
      phase: "flush",
      stop: () => Promise.reject(new Error("flush failed")),
    });
    installSignalHandlers(manager, { logger, source, exit });
    source.emit("SIGINT", "SIGINT");
    expect(await exited).toBe(EXIT_FAILED);
  });

  it("ignores a second signal during shutdown and forces exit on the third", async () => {
    const { logger, manager, source, exits, exited, exit } = setup();
    let stops = 0;
    let finish: () => void = () => undefined;
    manager.register({
      name: "consumer",
      phase: "intake",
      stop: () => {
        stops++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    installSignalHandlers(manager, { logger, source, exit });
    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGINT", "SIGINT");
    await Promise.resolve();
    expect(exits).toEqual([]);
    expect(logger.messages()).toContain(
      "shutdown already in progress; send the signal once more to force exit",
    );

    source.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(EXIT_FAILED);
    finish();
    await manager.shutdown("ignored");
    expect(stops).toBe(1);
    expect(exits).toEqual([EXIT_FAILED]);
  });

  it("forces exit when shutdown overruns the grace period (e.g. a wedged step)", async () => {
    const { logger, source, exited, exit } = setup();
    const wedged = new ShutdownManager({ gracePeriodMs: 20, logger });
    wedged.shutdown = () => new Promise<ShutdownReport>(() => undefined);
    installSignalHandlers(wedged, { logger, source, exit, forceExitMarginMs: 10 });
    source.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(EXIT_FAILED);
    expect(logger.messages()).toContain("shutdown overran the grace period, forcing exit");
  });

  it("listens only to the configured signals and can be uninstalled", async () => {
    const { logger, manager, source, exit } = setup();
    const uninstall = installSignalHandlers(manager, { logger, source, exit, signals: ["SIGTERM"] });
    expect(source.listenerCount("SIGTERM")).toBe(1);
    expect(source.listenerCount("SIGINT")).toBe(0);
    uninstall();
    expect(source.listenerCount("SIGTERM")).toBe(0);
    source.emit("SIGTERM", "SIGTERM");
    expect(manager.state).toBe("running");
  });

  it("a fatal component error shuts down in order and exits 1, even though every step stopped", async () => {
    const { logger, manager, exits, exited, exit } = setup();
    const stopped: string[] = [];
    manager.register({ name: "database", phase: "close", stop: () => void stopped.push("database") });
    manager.register({ name: "consumer", phase: "intake", stop: () => void stopped.push("consumer") });
    const processExit = createProcessExit(manager, { logger, exit });
    processExit.fatal("consumer", new Error("left the group for good"));
    processExit.fatal("consumer", new Error("reported twice"));
    expect(await exited).toBe(EXIT_FAILED);
    expect(stopped).toEqual(["consumer", "database"]);
    expect(exits).toEqual([EXIT_FAILED]);
    expect(
      logger.entries.find((e) => e.message.startsWith("component stopped for good"))?.fields,
    ).toMatchObject({ component: "consumer" });
    expect((await manager.shutdown("again")).reason).toBe("fatal: consumer");
  });

  it("a fatal error during a SIGTERM shutdown turns the exit code into 1", async () => {
    const { logger, manager, source, exited, exit } = setup();
    let finish: (() => void) | undefined;
    manager.register({
      name: "consumer",
      phase: "intake",
      stop: () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    });
    const processExit = createProcessExit(manager, { logger, exit });
    installSignalHandlers(manager, { logger, source, processExit });
    source.emit("SIGTERM", "SIGTERM");
    while (!finish) await new Promise((resolve) => setImmediate(resolve));
    processExit.fatal("consumer", new Error("crashed while draining"));
    finish();
    expect(await exited).toBe(EXIT_FAILED);
    // Every step stopped in time: the 1 comes from the fatal report alone.
    expect((await manager.shutdown("again")).ok).toBe(true);
  });

  it("after a fatal error the first signal is the 'already in progress' one, the next forces exit", async () => {
    const { logger, manager, source, exits, exited, exit } = setup();
    manager.register({ name: "consumer", phase: "intake", stop: () => new Promise<void>(() => undefined) });
    const processExit = createProcessExit(manager, { logger, exit });
    installSignalHandlers(manager, { logger, source, processExit });
    processExit.fatal("consumer", new Error("gone"));
    source.emit("SIGTERM", "SIGTERM");
    expect(exits).toEqual([]);
    expect(logger.messages()).toContain(
      "shutdown already in progress; send the signal once more to force exit",
    );
    source.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(EXIT_FAILED);
  });
});
