import { invoiceCounter, invoiceHistogram, type Registry } from "@invoice/observability";
import type { NextFunction, Request, Response } from "express";

/** Label for requests no route matched: raw paths would give every scanner probe its own series. */
export const UNMATCHED_ROUTE = "unmatched";

/** Where the matched route's path is relative to (the router's mount path); see createHttpApp. */
export const ROUTE_BASE = "routeBase";

/** Request count and latency by method, route pattern (`/v1/api/invoices/:id`) and status. */
export function httpMetrics(registry: Registry) {
  const labelNames = ["method", "route", "status"] as const;
  const requests = invoiceCounter(registry, {
    name: "http_requests",
    help: "HTTP requests handled.",
    labelNames,
  });
  const duration = invoiceHistogram(registry, {
    name: "http_request_duration",
    help: "HTTP request duration until the response is sent.",
    labelNames,
  });

  return (req: Request, res: Response, next: NextFunction): void => {
    const stopTimer = duration.startTimer();
    res.on("finish", () => {
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      requests.inc(labels);
      stopTimer(labels);
    });
    next();
  };
}

function routeLabel(req: Request, res: Response): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route?.path === undefined) return UNMATCHED_ROUTE;
  const base = typeof res.locals[ROUTE_BASE] === "string" ? res.locals[ROUTE_BASE] : "";
  return `${base}${String(route.path)}`;
}
