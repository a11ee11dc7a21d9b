import { randomUUID } from "node:crypto";
import type { Logger } from "@invoice/observability";
import type { NextFunction, Request, Response } from "express";

declare global {
  namespace Express {
    interface Request {
      /** Correlates logs, the response header and problem bodies. */
      requestId: string;
      /** Child logger bound to this request's id, method and path. */
      log: Logger;
      /** The JSON body exactly as received, for signature checks (HMAC over the raw bytes). */
      rawBody?: Buffer;
    }
  }
}

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * An incoming id is kept only if it is short and made of safe characters: it is echoed into a header
 * and every log line, so anything else (log injection, header splitting, megabyte ids) is replaced.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function resolveRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Probe endpoints are hit every few seconds; their completions are logged at debug, not info. */
const QUIET_PATHS = new Set(["/health", "/ready", "/metrics"]);

/** Assigns the request id, echoes it, binds a child logger and logs the completion of each request. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = performance.now();
    req.requestId = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
    req.log = logger.child({ requestId: req.requestId, method: req.method, path: req.path });
    res.setHeader(REQUEST_ID_HEADER, req.requestId);
    res.setHeader("x-content-type-options", "nosniff");
    res.on("finish", () => {
      const fields = {
        status: res.statusCode,
        durationMs: Math.round(performance.now() - startedAt),
        ...(typeof res.locals.problemCode === "string" ? { code: res.locals.problemCode } : {}),
      };
      if (QUIET_PATHS.has(req.path)) req.log.debug(fields, "request completed");
      else req.log.info(fields, "request completed");
    });
    res.on("close", () => {
      if (!res.writableFinished) req.log.warn({}, "request aborted by the client");
    });
    next();
  };
}
