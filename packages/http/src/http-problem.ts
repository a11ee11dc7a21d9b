import { STATUS_CODES } from "node:http";
import { PlatformError } from "@invoice/errors";

/** RFC 9457 problem details, plus the platform's `code` (stable, for clients to switch on) and `requestId`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId?: string;
  [extension: string]: unknown;
}

export interface HttpProblemOptions {
  status: number;
  /** Stable UPPER_SNAKE_CASE code, e.g. "INVOICE_NOT_FOUND". */
  code: string;
  /** Defaults to the HTTP status phrase (what RFC 9457 asks for when `type` is about:blank). */
  title?: string;
  /** Shown to the client as is, for 5xx too: write it for the client, never from an internal error. */
  detail?: string;
  /** A URI naming the problem type; defaults to "about:blank". */
  type?: string;
  /** Extra members, e.g. `errors` for field validation; they cannot override the standard ones. */
  extensions?: Record<string, unknown>;
  /** Response headers such as Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
  /** Logged with the error; never sent to the client. */
  cause?: unknown;
}

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * An error a handler throws to answer with a problem+json response: the only error (with body-parser's
 * and the router's own, converted where they arise) that becomes a 4xx. Anything else a handler throws
 * is a logged 500 whose body says nothing about it.
 *
 * A PlatformError: `code` is the problem's code, `retriable` is true for 408, 429 and 5xx (the same
 * request may succeed later).
 */
export class HttpProblem extends PlatformError {
  override readonly name = "HttpProblem";
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(options: HttpProblemOptions) {
    if (!Number.isInteger(options.status) || options.status < 400 || options.status > 599) {
      throw new TypeError(`HttpProblem status must be 400-599, got ${options.status}`);
    }
    if (!CODE.test(options.code))
      throw new TypeError(`HttpProblem code must be UPPER_SNAKE_CASE: "${options.code}"`);
    const title = options.title ?? statusTitle(options.status);
    super(options.code, options.detail ?? title, {
      retriable: options.status === 408 || options.status === 429 || options.status >= 500,
      cause: options.cause,
    });
    this.status = options.status;
    this.title = title;
    this.detail = options.detail;
    this.type = options.type ?? "about:blank";
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  toProblemDetails(context: { instance?: string; requestId?: string } = {}): ProblemDetails {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(context.instance === undefined ? {} : { instance: context.instance }),
      code: this.code,
      ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    };
  }
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? "Error";
}
