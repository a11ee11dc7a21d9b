import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { ShutdownManager, type ShutdownReport } from "./shutdown-manager.ts";
import { EXIT_CLEAN, EXIT_FAILED, installSignalHandlers, type SignalSource } from "./signal-handlers.ts";
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
    manager.register({ name: "http", stop: () => void stopped.push("http") });
    installSignalHandlers(manager, { logger, source, exit });
    source.emit("SIGTERM", "SIGTERM");
    expect(await exited).toBe(EXIT_CLEAN);
    expect(stopped).toEqual(["http"]);
    expect(exits).toEqual([EXIT_CLEAN]);
  });

  it("exits 1 when a step failed", async () => {
    const { logger, manager, source, exited, exit } = setup();
    manager.register({ name: "producer", stop: () => Promise.reject(new Error("flush failed")) });
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
});
