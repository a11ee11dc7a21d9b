import { isUtf8 } from "node:buffer";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { HttpProblem } from "./http-problem.ts";

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
  /** Absent on some of its 4xx errors: a corrupt gzip/deflate/br body is zlib's error with status 400. */
  type?: string;
  status: number;
  message: string;
  limit?: number;
}

/**
 * body-parser's failures (too large, not JSON, unsupported encoding...) as client-facing problems.
 * Called only for errors that came out of the body parser (see {@link parseJsonBody}), never for an
 * arbitrary error that happens to carry `type` and `status`.
 */
function fromBodyParser(error: BodyParserError): HttpProblem | undefined {
  switch (error.type) {
    case "entity.too.large":
      return new HttpProblem({
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        detail: `Request body exceeds the limit of ${error.limit ?? "the configured"} bytes.`,
        cause: error,
      });
    case "entity.parse.failed":
      return new HttpProblem({
        status: 400,
        code: "MALFORMED_JSON",
        detail: "Request body is not valid JSON.",
        cause: error,
      });
    case NOT_UTF8:
      return new HttpProblem({
        status: 400,
        code: "MALFORMED_JSON",
        detail: "Request body is not valid UTF-8 (RFC 8259 requires JSON to be UTF-8).",
        cause: error,
      });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpProblem({
        status: 415,
        code: "UNSUPPORTED_ENCODING",
        detail: error.message,
        cause: error,
      });
    default:
      // Other client-side failures (aborted upload, size mismatch); a 5xx of the parser is ours: a 500.
      if (!(error.status >= 400 && error.status < 500)) return undefined;
      return new HttpProblem({
        status: error.status,
        code: "BAD_REQUEST",
        detail: "The request body could not be read.",
        cause: error,
      });
  }
}

/** `type` of the error {@link refuseInvalidUtf8} throws. */
const NOT_UTF8 = "entity.not.utf8";

/**
 * body-parser's `verify` hook: a body declared (or defaulted to) UTF-8 that holds other bytes is refused,
 * instead of being decoded with U+FFFD in place of each bad byte — a Latin-1 client's "Nguyễn" would
 * otherwise reach an invoice as "Nguy�n", with nothing logged. Other declared charsets (utf-16) are
 * decoded by body-parser itself.
 */
export function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase().replace("-", "") === "utf8" && !isUtf8(body)) {
    throw Object.assign(new Error("request body is not valid UTF-8"), { status: 400, type: NOT_UTF8 });
  }
}

/**
 * `express.json(...)` whose errors become {@link HttpProblem}s here, where they arise: downstream an
 * error from the body parser cannot be told from a handler's error that looks the same.
 */
export function parseJsonBody(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    parser(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const candidate = error as Partial<BodyParserError>;
      // Whatever comes out of the parser is about the request body: its 4xx are the client's.
      const problem =
        typeof candidate.status === "number" ? fromBodyParser(candidate as BodyParserError) : undefined;
      if (problem && candidate.type === "entity.parse.failed" && req.rawBody !== undefined) {
        deferParseFailure(req, problem);
        return next();
      }
      next(problem ?? error);
    });
  };
}

/**
 * Bytes that were read in full but are not JSON: the 400 is raised when a handler reads `req.body`, not
 * here, so a route that must authenticate the raw bytes first (an HMAC-signed webhook answers 401 to
 * an unsigned request, whatever its body) can check `req.rawBody` before anything reads the body. Every
 * other route reads `req.body` and answers the same 400 MALFORMED_JSON as before.
 */
function deferParseFailure(req: Request, problem: HttpProblem): void {
  Object.defineProperty(req, "body", {
    configurable: true,
    enumerable: true,
    get() {
      throw problem;
    },
    set(value: unknown) {
      Object.defineProperty(req, "body", { configurable: true, enumerable: true, writable: true, value });
    },
  });
}

/**
 * The router's own 400: a path parameter that is not valid percent-encoding. The router marks the
 * URIError it caught with `status` 400; a handler's own URIError has none. Its message echoes the raw
 * input, so the problem carries no detail.
 */
function fromRouter(error: unknown): HttpProblem | undefined {
  if (!(error instanceof URIError) || (error as { status?: unknown }).status !== 400) return undefined;
  return new HttpProblem({ status: 400, code: "BAD_REQUEST", cause: error });
}

/**
 * Last middleware: every error becomes problem+json (RFC 9457). Only an {@link HttpProblem} (which the
 * body parser's errors already are) and the router's decode failure answer 4xx. Anything else — an
 * axios error with `status: 401`, an http-errors 404 from a library, a TypeError — is a 500 whose body
 * says nothing about the cause and carries the request id, and the error is logged with that id: a
 * provider's 401 must not reach the merchant as theirs, nor its text leak through `expose`.
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
      : (fromRouter(error) ??
        new HttpProblem({
          status: 500,
          code: "INTERNAL_ERROR",
          detail: "The request could not be completed. Quote the request id when reporting this.",
        }));
  if (problem.status >= 500) req.log.error({ err: error, code: problem.code }, "request failed");
  sendProblem(req, res, problem);
}
