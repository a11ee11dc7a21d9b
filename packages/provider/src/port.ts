import type { EpochMs, InvoiceDocument } from "@invoice/domain";
import type { ProviderError } from "./provider-error.ts";

/** The provider account an invoice is issued under (decrypted by the caller, never logged). */
export interface ProviderCredentials {
  username: string;
  password: string;
}

/** Who issues: from the invoice's immutable provider-config and seller snapshot. */
export interface SellerContext {
  /** The tax code the invoice is issued under (SInvoice `createInvoice/{supplierTaxCode}`). */
  supplierTaxCode: string;
  /** The template code registered at the provider, e.g. SInvoice "1/001" (template digit + number). */
  templateCode: string;
  credentials: ProviderCredentials;
}

/** Extra facts a correction (adjustment or replacement) needs at SInvoice. */
export interface CorrectionContext {
  /** The corrected invoice's exact invoiceIssuedDate; default 00:00 Vietnam time of its date. */
  originalIssuedAt?: EpochMs;
  /** The buyer-seller agreement document (mandatory at SInvoice); default: the correction note. */
  agreement?: { description: string; date: EpochMs };
  /** Adjustments: money (default) or information only. */
  adjustmentKind?: "money" | "info";
}

export interface IssueRequest {
  document: InvoiceDocument;
  /** The provider idempotency key: must equal `document.transactionUuid` (fixed when the invoice row is made). */
  idempotencyKey: string;
  /** The domain's attempt identity; echoed on the outcome, never sent to the provider. */
  attemptId: string;
  seller: SellerContext;
  /**
   * The invoice date-time sent to the provider (SInvoice invoiceIssuedDate, seconds precision). Must
   * fall on `document.invoiceDate` in Vietnam time; default 00:00:00 of that date. Within a series it
   * must never go backwards.
   */
  issuedAt?: EpochMs;
  correction?: CorrectionContext;
}

export interface LookupRequest {
  idempotencyKey: string;
  seller: SellerContext;
  /** For logs and the outcome only. */
  attemptId?: string;
}

/** An invoice as the provider holds it. */
export interface IssuedInvoice {
  supplierTaxCode: string;
  /** Số hóa đơn (XML SHDon): 1-8 digits, no leading zeros, e.g. "12". */
  invoiceNo: string;
  /** The number as the provider writes it, series + number, e.g. "C26TAA12". */
  providerInvoiceNo: string;
  /** Ký hiệu hóa đơn, e.g. "C26TAA" (as the provider returned it). */
  series: string;
  templateCode: string;
  /** The invoice date-time: what was sent (create) or the provider's issueDate (lookup). */
  issuedAt: EpochMs;
  /** SInvoice `transactionID`. */
  providerTransactionId?: string;
  /** Mã số bí mật: the buyer's lookup code. */
  reservationCode?: string;
  /** Tax-authority code (cash-register invoices: `codeOfTax`). */
  taxAuthorityCode?: string;
  /** Lookup only: SInvoice's status text ("Hóa đơn gốc", ...) and tax-authority exchange status. */
  providerStatus?: string;
  exchangeStatus?: string;
}

/** What went over the wire for one call, for the InvoiceIssuance row (no secrets in it). */
export interface Exchange {
  operation: "createInvoice" | "searchInvoiceByTransactionUuid";
  /** SHA-256 (hex) of the exact request body bytes. */
  requestSha256: string;
  /** The request body (createInvoice JSON / lookup form); credentials travel in headers, not here. */
  requestBody: string;
  httpStatus?: number;
  /** The answer, at most 4 KB. */
  responseBody?: string;
  latencyMs: number;
  /** API calls made (2 after a refused token: the first try, then the resend or a lookup); logins not counted. */
  calls: number;
}

export type IssueOutcome =
  | { kind: "issued"; attemptId: string; idempotencyKey: string; invoice: IssuedInvoice; exchange: Exchange }
  /**
   * The provider took the invoice but numbers it asynchronously (SInvoice answers with an empty
   * invoiceNo): look the key up from `lookupAfter` on. Never resend it.
   */
  | {
      kind: "accepted";
      attemptId: string;
      idempotencyKey: string;
      providerTransactionId?: string;
      reservationCode?: string;
      lookupAfter: EpochMs;
      exchange: Exchange;
    }
  | { kind: "failed"; attemptId: string; idempotencyKey: string; error: ProviderError; exchange?: Exchange };

export type LookupOutcome =
  /**
   * `invoice` is the first one the provider numbered under the key; `invoices` lists every one,
   * oldest first — more than one means the key was issued twice (a concurrent send), which needs a
   * human (cancel the extra invoice at the provider).
   */
  | {
      kind: "found";
      idempotencyKey: string;
      invoice: IssuedInvoice;
      invoices: IssuedInvoice[];
      exchange: Exchange;
    }
  /** The provider has the invoice but has not numbered it yet: look again later, never resend. */
  | { kind: "pending"; idempotencyKey: string; exchange: Exchange }
  /** The provider has nothing under the key (an explicit "not found" answer, never a guess). */
  | { kind: "not-found"; idempotencyKey: string; exchange: Exchange }
  | { kind: "failed"; idempotencyKey: string; error: ProviderError; exchange?: Exchange };

/**
 * An e-invoice provider, seen from the issuer.
 *
 * Failure semantics (the contract every adapter keeps):
 * - Expected failures are values (`kind: "failed"` with a {@link ProviderError}), never throws;
 *   a throw is a bug. `error.retriable` says whether the same call may succeed later (transient:
 *   network, timeout, 5xx, 429, breaker open) or not (permanent: validation, auth/config); the code
 *   is stable (PROVIDER_ERROR_CODES).
 * - `error.verdict` says whether a failed issue may have created the invoice: "not-created" (safe to
 *   send again) or "unknown" (look the key up first, and do not resend before
 *   `error.resendNotBefore`). An adapter that cannot tell says "unknown".
 * - `issue` is NOT safe to call twice concurrently with one key: SInvoice creates two invoices. The
 *   caller keeps at most one send of a key in flight, across processes.
 * - `lookup` creates nothing and may be called any time; "not-found" is only returned on an explicit
 *   answer from the provider, so a resend after it is safe once `resendNotBefore` has passed.
 * - `error.retryAt`, when set, is the earliest time a retry can help (breaker reopening, Retry-After):
 *   schedule the retry then instead of spending attempts earlier.
 */
export interface ProviderAdapter {
  /** "sinvoice". */
  readonly provider: string;
  /** The API base URL: what circuit breakers and metrics are keyed by. */
  readonly endpoint: string;
  issue(request: IssueRequest, options?: { signal?: AbortSignal }): Promise<IssueOutcome>;
  lookup(request: LookupRequest, options?: { signal?: AbortSignal }): Promise<LookupOutcome>;
  /** Closes pooled connections; idempotent. */
  close(): Promise<void>;
}
