import type { NextFunction, Request, Response } from "express";
import { HttpProblem, statusTitle } from "./http-problem.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Writes a problem+json response for `problem`, with the request's path and id. */
export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  res.locals.problemCode = problem.code;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  // The path only: query strings can carry tokens (claim links), and problem bodies get logged by clients.
  const instance = req.originalUrl.split("?")[0];
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toProblemDetails({ instance, requestId: req.requestId })));
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(
    new HttpProblem({ status: 404, code: "NOT_FOUND", detail: `No route for ${req.method} ${req.path}.` }),
  );
}

interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  message: string;
  limit?: number;
}

/** body-parser's failures (too large, not JSON, unsupported encoding) as client-facing problems. */
function fromBodyParser(error: BodyParserError): HttpProblem {
  switch (error.type) {
    case "entity.too.large":
      return new HttpProblem({
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        detail: `Request body exceeds the limit of ${error.limit ?? "the configured"} bytes.`,
      });
    case "entity.parse.failed":
      return new HttpProblem({
        status: 400,
        code: "MALFORMED_JSON",
        detail: "Request body is not valid JSON.",
      });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpProblem({ status: 415, code: "UNSUPPORTED_ENCODING", detail: error.message });
    default:
      return new HttpProblem({
        status: error.status,
        code: "BAD_REQUEST",
        detail: "The request body could not be read.",
      });
  }
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return (
    typeof candidate?.type === "string" &&
    typeof candidate.status === "number" &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/**
 * A 4xx from express or a library (`status` 400-499), e.g. a path parameter that is not valid
 * percent-encoding. Its message is shown only when marked `expose` (the http-errors convention): the
 * router's messages echo the raw input.
 */
function fromClientError(error: unknown): HttpProblem | undefined {
  const candidate = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
  } | null;
  const status = typeof candidate?.status === "number" ? candidate.status : candidate?.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 499)
    return undefined;
  const code =
    statusTitle(status)
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, "_")
      .replace(/^_|_$/g, "") || "BAD_REQUEST";
  const detail =
    candidate?.expose === true && typeof candidate.message === "string" ? candidate.message : undefined;
  return new HttpProblem({ status, code, ...(detail === undefined ? {} : { detail }) });
}

/**
 * Last middleware: every error becomes problem+json. Anything that is not an HttpProblem or a known client
 * error is a 500 whose body says nothing about the cause (no message, no stack); the cause is logged.
 */
export function errorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    // Too late for a problem body; express's default handler closes the connection.
    req.log.error({ err: error }, "request failed after the response started");
    next(error);
    return;
  }
  const problem =
    error instanceof HttpProblem
      ? error
      : isBodyParserError(error)
        ? fromBodyParser(error)
        : (fromClientError(error) ??
          new HttpProblem({
            status: 500,
            code: "INTERNAL_ERROR",
            detail: "The request could not be completed. Quote the request id when reporting this.",
          }));
  if (problem.status >= 500) req.log.error({ err: error, code: problem.code }, "request failed");
  sendProblem(req, res, problem);
}
