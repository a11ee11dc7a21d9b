import { PlatformError } from "@invoice/errors";

/**
 * What a failed send may have left behind at the provider — the fact exactly-once hinges on:
 * - "not-created": the provider certainly did not create an invoice (the request never reached it,
 *   or it answered with an explicit refusal). Sending the same key again is safe.
 * - "unknown": the request may have reached the provider and may have created an invoice (timeout
 *   after sending, connection lost, 5xx, an unreadable 2xx). Before any resend the caller MUST look
 *   the key up, and must not resend before `resendNotBefore`: SInvoice creates a second invoice when a
 *   key is sent while the first request is still being processed.
 */
export type SendVerdict = "not-created" | "unknown";

/** Stable reason codes with their classification (the same code always has the same verdict). */
export const PROVIDER_ERROR_CODES = {
  /** TCP connection refused: nothing listened, nothing was sent. */
  PROVIDER_CONNECTION_REFUSED: { retriable: true, verdict: "not-created" },
  /** The provider's host name did not resolve. */
  PROVIDER_DNS_FAILURE: { retriable: true, verdict: "not-created" },
  /** No TCP connection within the connect timeout: nothing was sent. */
  PROVIDER_CONNECT_TIMEOUT: { retriable: true, verdict: "not-created" },
  /** Our circuit breaker is open (or half-open and probing): the call was not made. */
  PROVIDER_BREAKER_OPEN: { retriable: true, verdict: "not-created" },
  /** 429: the provider refused to process the request now. */
  PROVIDER_RATE_LIMITED: { retriable: true, verdict: "not-created" },
  /** The request was sent and no answer came in time. */
  PROVIDER_TIMEOUT: { retriable: true, verdict: "unknown" },
  /** The connection broke after the request may have been sent (reset, closed mid-answer). */
  PROVIDER_CONNECTION_LOST: { retriable: true, verdict: "unknown" },
  /** 5xx: the provider failed while or after processing. */
  PROVIDER_SERVER_ERROR: { retriable: true, verdict: "unknown" },
  /** A 2xx we cannot read, or an answer that says neither success nor refusal. */
  PROVIDER_BAD_RESPONSE: { retriable: true, verdict: "unknown" },
  /** The caller's abort signal fired (shutdown); whether the request went out is not known. */
  PROVIDER_CANCELLED: { retriable: true, verdict: "unknown" },
  /** Login refused (bad credentials, locked or not whitelisted account), or a fresh token refused. */
  PROVIDER_AUTH_REJECTED: { retriable: false, verdict: "not-created" },
  /** The provider refused the invoice's content (4xx, or an `errorCode` answer). */
  PROVIDER_VALIDATION: { retriable: false, verdict: "not-created" },
  /**
   * The provider refused the invoice date: before the last invoice of its series (SInvoice's
   * date-order rule) or after "now". Sending it again unchanged fails the same way.
   */
  PROVIDER_INVOICE_DATE_REFUSED: { retriable: false, verdict: "not-created" },
  /** Template or series not registered or not active for the seller (a configuration problem). */
  PROVIDER_SERIES_NOT_FOUND: { retriable: false, verdict: "not-created" },
  /** The endpoint does not exist or refuses the method/content type (404, 405, 415): a wrong base URL. */
  PROVIDER_CONFIG_INVALID: { retriable: false, verdict: "not-created" },
  /** Refused by the adapter before sending: the document cannot be expressed in SInvoice's format. */
  PROVIDER_REQUEST_INVALID: { retriable: false, verdict: "not-created" },
} as const satisfies Record<string, { retriable: boolean; verdict: SendVerdict }>;

export type ProviderErrorCode = keyof typeof PROVIDER_ERROR_CODES;

/** Which call failed: the invoice creation itself, the lookup, or the login in front of either. */
export type ProviderOperation = "createInvoice" | "searchInvoiceByTransactionUuid" | "login";

export interface ProviderErrorOptions {
  operation: ProviderOperation;
  cause?: unknown;
  /** Overrides the code's verdict: a failed login means the create was certainly not sent. */
  verdict?: SendVerdict;
  httpStatus?: number;
  /** The provider's own error code (`errorCode`, `message` or `error` of its answer). */
  providerCode?: string;
  /** Earliest time a retry can help (breaker half-opening, Retry-After), epoch ms. */
  retryAt?: number;
  /** For verdict "unknown": no resend of the key before this time (epoch ms); look it up first. */
  resendNotBefore?: number;
}

export class ProviderError extends PlatformError {
  override readonly name = "ProviderError";
  declare readonly code: ProviderErrorCode;
  readonly verdict: SendVerdict;
  readonly operation: ProviderOperation;
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly retryAt?: number;
  readonly resendNotBefore?: number;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions) {
    const spec = PROVIDER_ERROR_CODES[code];
    super(code, message, { retriable: spec.retriable, cause: options.cause });
    this.verdict = options.verdict ?? spec.verdict;
    this.operation = options.operation;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.retryAt !== undefined) this.retryAt = options.retryAt;
    if (options.resendNotBefore !== undefined) this.resendNotBefore = options.resendNotBefore;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
