import type { Logger, Registry } from "@invoice/observability";
import express, { type Express, type Request, type Router } from "express";
import { httpMetrics, ROUTE_BASE } from "./http-metrics.ts";
import { errorHandler, notFound, parseJsonBody, refuseInvalidUtf8 } from "./problem-response.ts";
import { type ReadinessEntry, runReadinessChecks } from "./readiness.ts";
import { requestContext } from "./request-context.ts";

export interface CreateHttpAppOptions {
  logger: Logger;
  metricsRegistry: Registry;
  /** Dependencies `/ready` probes, by name (e.g. postgres, redis, kafka). */
  readinessChecks?: Readonly<Record<string, ReadinessEntry>>;
  /** Per-check time limit for `/ready`; keep it under the orchestrator's probe timeout. Default 2000. */
  readinessTimeoutMs?: number;
  /**
   * When true, `/ready` answers 503 without running checks, so load balancers stop routing here while
   * the shutdown manager drains (wire it to `manager.state !== "running"`).
   */
  isShuttingDown?: () => boolean;
  /** Largest JSON body accepted (HTTP_BODY_LIMIT_BYTES); bigger ones get 413. */
  bodyLimitBytes: number;
  /** Mount path of the business routes. */
  basePath?: string;
  /** Registers the service's business routes on a router mounted at `basePath`. */
  routes?: (router: Router) => void;
}

/**
 * The platform's express 5 app: request ids, per-request child logger, request metrics, JSON body limit,
 * `GET /health` (liveness), `GET /ready` (dependencies), `GET /metrics` (Prometheus), and problem+json
 * (RFC 9457) for every error, unknown routes included. Async handlers may simply throw {@link HttpProblem}.
 */
export function createHttpApp(options: CreateHttpAppOptions): Express {
  const {
    logger,
    metricsRegistry,
    readinessChecks = {},
    readinessTimeoutMs = 2000,
    isShuttingDown = () => false,
    bodyLimitBytes,
    basePath = "/v1/api",
    routes,
  } = options;
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes <= 0) {
    throw new RangeError("bodyLimitBytes must be a positive integer");
  }

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestContext(logger));
  app.use(httpMetrics(metricsRegistry));
  app.use(
    parseJsonBody(
      express.json({
        limit: bodyLimitBytes,
        type: ["application/json", "application/*+json"],
        verify: (req, res, buffer, encoding) => {
          refuseInvalidUtf8(req, res, buffer, encoding);
          (req as Request).rawBody = buffer;
        },
      }),
    ),
  );

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/ready", async (req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: "shutting_down", checks: {} });
      return;
    }
    const report = await runReadinessChecks(readinessChecks, readinessTimeoutMs, (check, error) => {
      req.log.warn({ check, err: error }, "readiness check failed");
    });
    const status = report.ready ? (report.degraded ? "degraded" : "ready") : "not_ready";
    res.status(report.ready ? 200 : 503).json({ status, checks: report.checks });
  });

  app.get("/metrics", async (_req, res) => {
    const body = await metricsRegistry.metrics();
    res.type(metricsRegistry.contentType).send(body);
  });

  const router = express.Router();
  router.use((_req, res, next) => {
    res.locals[ROUTE_BASE] = basePath;
    next();
  });
  routes?.(router);
  app.use(basePath, router);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
