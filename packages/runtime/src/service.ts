import { describeConfig } from "@invoice/config";
import { PlatformError } from "@invoice/errors";
import { createHttpApp, type ReadinessCheck, type ReadinessEntry, startHttpServer } from "@invoice/http";
import {
  createProcessExit,
  installSignalHandlers,
  SHUTDOWN_PHASES,
  ShutdownInProgressError,
  ShutdownManager,
  type ShutdownPhase,
  type ShutdownStep,
  type SignalSource,
} from "@invoice/lifecycle";
import { createMetrics, type Logger, type Registry } from "@invoice/observability";
import type { Router } from "express";
import type { ServiceClient } from "./clients/service-client.ts";
import type { PlatformConfig } from "./platform-config.ts";
import { singleFlight } from "./single-flight.ts";

/**
 * A part of a service with a lifetime of its own: a consumer, a producer, a worker, a lease.
 * `@invoice/processing` components have exactly this shape.
 *
 * - `start()` resolves once the component works (a consumer joined its group); a rejection stops the
 *   service's start-up, and what had started is shut down again.
 * - `stop(signal)` is called once, in the component's shutdown phase. `signal` aborts when the phase's
 *   share of SHUTDOWN_GRACE_MS is used up: stop waiting, commit what is finished, return. A stop that
 *   outlives the signal is abandoned and the next phase starts.
 * - `isRunning()`, when present, is a readiness check: /ready answers 503 while it is false (a consumer
 *   that left its group for good is not ready, even if the process is alive).
 * A component that stops for good on its own (not through `stop`) calls `service.fatal(name, error)`.
 */
export interface ServiceComponent {
  start(): Promise<void> | void;
  stop(signal: AbortSignal): Promise<void> | void;
  isRunning?(): boolean;
}

export interface AddComponentOptions {
  /** When it stops (SHUTDOWN_PHASES). It starts in the reverse order: `close` first, `intake` last. */
  phase: ShutdownPhase;
  /** Share of the grace period of its phase (see ShutdownStep.weight). */
  weight?: number;
  /** Replaces the `isRunning()` check; `false` for a component that must not affect /ready. */
  readiness?: ReadinessCheck | false;
}

export interface CreateServiceOptions {
  /** The service's whole loaded configuration (the redacted start-up log line describes all of it). */
  config: PlatformConfig;
  logger: Logger;
  /** Defaults to `process.exit`; tests pass their own. */
  exit?: (code: number) => void;
  /** Where SIGTERM/SIGINT come from (default `process`); `false` installs no handlers (tests). */
  signals?: SignalSource | false;
}

export interface StartOptions {
  /** Business routes, mounted under /v1/api. */
  routes?: (router: Router) => void;
}

export type ServiceState = "created" | "starting" | "started" | "stopping" | "stopped";

/** The shell every service's main.ts fills: see createService. */
export interface Service {
  readonly metrics: Registry;
  readonly shutdown: ShutdownManager;
  readonly state: ServiceState;
  /** Registers a client's readiness check and closes it in the `close` phase; returns the same object. */
  addClient<C extends ServiceClient<unknown>>(client: C): C;
  /**
   * Registers a component: its readiness check, its stop in `options.phase`. Before or during `start()`
   * it is started by `start()`; afterwards it is started at once (the promise settles when it has; on a
   * rejection the caller decides, typically `service.fatal(name, error)` to exit 1 in order).
   */
  addComponent(name: string, component: ServiceComponent, options: AddComponentOptions): Promise<void>;
  /**
   * A readiness check of its own (any time, also after the HTTP server listens). `optional`: the
   * service works without it, degraded; its failure shows on /ready, which stays 200.
   */
  addReadinessCheck(name: string, check: ReadinessCheck, options?: { optional?: boolean }): void;
  /** A plain shutdown step (something without a start). */
  addShutdownStep(step: ShutdownStep): void;
  /** A component stopped for good: shut down in order, then exit 1. Safe to call more than once. */
  fatal(source: string, error: unknown): void;
  /**
   * Starts the components (phase by phase, `close` first and `intake` last), then the HTTP server with
   * /health, /ready and /metrics, and installs the signal handlers. Resolves with the bound port.
   */
  start(options?: StartOptions): Promise<{ port: number }>;
}

interface Registered {
  name: string;
  component: ServiceComponent;
  phase: ShutdownPhase;
  started?: Promise<void>;
}

/**
 * The service shell: metrics registry, readiness checks, the shutdown manager and the process's exit
 * path. main.ts creates it, adds its clients and components, then calls `start()` (ADR 0009):
 *
 *   config → clients (addClient) → the service's own parts (addComponent) → start() (HTTP last)
 *
 * Shutdown follows phases, not registration order: HTTP and consumers stop intake, workers drain,
 * offsets are committed, producers flushed, and clients closed last — so nothing a service adds late
 * can stop before the HTTP intake that feeds it.
 */
export function createService(options: CreateServiceOptions): Service {
  const { config, logger } = options;
  const { identity, runtime } = config;
  const metrics = createMetrics({ service: identity.service });
  const shutdown = new ShutdownManager({ gracePeriodMs: runtime.shutdownGraceMs, logger });
  const processExit = createProcessExit(shutdown, {
    logger,
    ...(options.exit ? { exit: options.exit } : {}),
  });
  // Read by /ready on every request, so checks added after the HTTP server listens count too.
  const readinessChecks: Record<string, ReadinessEntry> = {};
  const components: Registered[] = [];
  let state: ServiceState = "created";

  const refuseDuplicateCheck = (name: string) => {
    if (name in readinessChecks) throw new Error(`a readiness check named "${name}" is already registered`);
  };
  const addReadinessCheck = (
    name: string,
    check: ReadinessCheck,
    checkOptions: { optional?: boolean } = {},
  ) => {
    refuseDuplicateCheck(name);
    const probe = singleFlight(check);
    readinessChecks[name] = checkOptions.optional ? { check: probe, optional: true } : probe;
  };

  const refuseAfterShutdown = (name: string) => {
    if (shutdown.state !== "running") {
      throw new ShutdownInProgressError(`cannot start "${name}": shutdown has already started`, {
        step: name,
      });
    }
  };

  const startComponent = (entry: Registered): Promise<void> => {
    refuseAfterShutdown(entry.name);
    entry.started ??= Promise.resolve().then(() => entry.component.start());
    return entry.started;
  };

  const service: Service = {
    metrics,
    shutdown,
    get state() {
      return shutdown.state === "running" ? state : shutdown.state;
    },

    addClient(client) {
      refuseDuplicateCheck(client.name);
      shutdown.register({ name: client.name, phase: "close", stop: () => client.close() });
      addReadinessCheck(client.name, client.readinessCheck, { optional: client.optional === true });
      return client;
    },

    async addComponent(name, component, componentOptions) {
      const entry: Registered = { name, component, phase: componentOptions.phase };
      const readiness =
        componentOptions.readiness ?? (component.isRunning ? runningCheck(name, component) : false);
      if (readiness) refuseDuplicateCheck(name);
      shutdown.register({
        name,
        phase: componentOptions.phase,
        weight: componentOptions.weight,
        stop: async (signal) => {
          // Never started: nothing to release. Still starting: let it finish, then stop what it acquired.
          if (!entry.started) return;
          await entry.started.catch(() => undefined);
          await component.stop(signal);
        },
      });
      if (readiness) addReadinessCheck(name, readiness);
      components.push(entry);
      // While start() runs, its loop picks the component up in phase order; afterwards, start it now.
      if (state === "started") await startComponent(entry);
    },

    addReadinessCheck,

    addShutdownStep(step) {
      shutdown.register(step);
    },

    fatal(source, error) {
      processExit.fatal(source, error);
    },

    async start(startOptions = {}) {
      if (state !== "created") throw new Error("service.start() was already called");
      state = "starting";
      if (options.signals !== false) {
        installSignalHandlers(shutdown, {
          logger,
          processExit,
          ...(options.signals ? { source: options.signals } : {}),
        });
      }
      try {
        // The reverse of the shutdown order: what others use (producers) runs before what feeds them.
        for (const phase of [...SHUTDOWN_PHASES].reverse()) {
          for (const entry of components.filter((c) => c.phase === phase)) await startComponent(entry);
        }
        // Added by a component's own start, after its phase had passed.
        for (const entry of components) await startComponent(entry);
        const port = await listen(startOptions);
        state = "started";
        logger.info(
          {
            port,
            serviceCode: identity.serviceCode,
            kafkaClientId: identity.kafkaClientId,
            workerId: identity.workerId,
            readinessChecks: Object.keys(readinessChecks),
            shutdownPlan: shutdown.plan(),
            config: describeConfig(config),
          },
          "service started",
        );
        return { port };
      } catch (error) {
        if (error instanceof ShutdownInProgressError) {
          // A signal or a fatal component error began the shutdown mid-start; its exit path ends the process.
          logger.info({ reason: error.message }, "service start interrupted by shutdown");
        } else {
          logger.error({ err: error }, "service start failed; stopping what had started");
        }
        await shutdown.shutdown("start failed");
        throw error;
      }
    },
  };

  async function listen(startOptions: StartOptions): Promise<number> {
    refuseAfterShutdown("http server");
    const app = createHttpApp({
      logger,
      metricsRegistry: metrics,
      readinessChecks,
      readinessTimeoutMs: config.clients.readinessTimeoutMs,
      isShuttingDown: () => shutdown.state !== "running",
      bodyLimitBytes: runtime.httpBodyLimitBytes,
      ...(startOptions.routes ? { routes: startOptions.routes } : {}),
    });
    // Requests still running at half the grace period are cut, so the later phases (flush, close)
    // keep time to finish.
    const server = await startHttpServer(app, {
      port: identity.port,
      forceCloseAfterMs: Math.max(1, Math.floor(runtime.shutdownGraceMs / 2)),
    });
    try {
      shutdown.register({
        name: "http server",
        phase: "intake",
        weight: 2,
        stop: (signal) => {
          // Out of budget: drop the connections still open rather than hold up the later phases.
          signal.addEventListener("abort", () => server.server.closeAllConnections(), { once: true });
          return server.close();
        },
      });
    } catch (error) {
      // A signal arrived while the server was binding: intake has already been stopped without it.
      await server.close();
      throw error;
    }
    return server.port;
  }

  return service;
}

function runningCheck(name: string, component: ServiceComponent): ReadinessCheck {
  return async () => {
    if (!component.isRunning?.()) {
      throw new PlatformError("COMPONENT_NOT_RUNNING", `component "${name}" is not running`, {
        retriable: true,
      });
    }
  };
}
