import { describeConfig } from "@invoice/config";
import { createHttpApp, startHttpServer } from "@invoice/http";
import { createSnowflakeGenerator, type IdGenerator } from "@invoice/ids";
import { ShutdownManager } from "@invoice/lifecycle";
import { createMetrics, type Logger, type Registry } from "@invoice/observability";
import type { Router } from "express";
import { createDependencies, type Dependencies, type Dependency } from "./dependencies.ts";
import type { PlatformConfig } from "./platform-config.ts";

export interface StartServiceOptions {
  config: PlatformConfig;
  /** The whole loaded configuration, for the redacted start-up log line. */
  fullConfig?: unknown;
  logger: Logger;
  /** Dependencies `/ready` must see reachable before traffic is routed here. */
  needs: readonly Dependency[];
  /** Business routes, mounted under /v1/api. */
  routes?: (router: Router, deps: Dependencies) => void;
}

export interface RunningService {
  port: number;
  deps: Dependencies;
  ids: IdGenerator;
  metrics: Registry;
  shutdown: ShutdownManager;
}

/**
 * Starts the parts every service has: metrics registry, Snowflake ids, dependency clients, the HTTP
 * server with /health, /ready and /metrics, and the shutdown manager.
 *
 * Registration order is start order; shutdown runs it backwards (lifecycle README):
 * HTTP intake stops first, the dependency clients close last. Workers that a service adds later
 * register between the two, so they drain and commit before the clients they use go away.
 */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const { config, logger, needs } = options;
  const { identity, runtime } = config;
  const metrics = createMetrics({ service: identity.service });
  const ids = createSnowflakeGenerator({ workerId: identity.workerId });
  const connected = createDependencies(needs, config, logger);
  const shutdown = new ShutdownManager({ gracePeriodMs: runtime.shutdownGraceMs, logger });
  shutdown.register({ name: "dependency clients", stop: () => connected.close() });

  const app = createHttpApp({
    logger,
    metricsRegistry: metrics,
    readinessChecks: connected.readinessChecks,
    isShuttingDown: () => shutdown.state !== "running",
    bodyLimitBytes: runtime.httpBodyLimitBytes,
    routes: options.routes ? (router) => options.routes?.(router, connected.deps) : undefined,
  });
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    // Requests still running at half the grace period are cut, so the steps after this one
    // (workers, clients) keep time to finish.
    server = await startHttpServer(app, {
      port: identity.port,
      forceCloseAfterMs: Math.max(1, Math.floor(runtime.shutdownGraceMs / 2)),
    });
  } catch (error) {
    await connected.close();
    throw error;
  }
  shutdown.register({
    name: "http server",
    weight: 2,
    stop: (signal) => {
      // Out of budget: drop the connections still open rather than leave them to the clients' close.
      signal.addEventListener("abort", () => server.server.closeAllConnections(), { once: true });
      return server.close();
    },
  });

  logger.info(
    {
      port: server.port,
      serviceCode: identity.serviceCode,
      kafkaClientId: identity.kafkaClientId,
      workerId: identity.workerId,
      needs,
      config: describeConfig(options.fullConfig ?? config),
    },
    "service started",
  );
  return { port: server.port, deps: connected.deps, ids, metrics, shutdown };
}
