import { createHash } from "node:crypto";
import type { Logger } from "@invoice/observability";
import type {
  Exchange,
  IssueOutcome,
  IssueRequest,
  LookupOutcome,
  LookupRequest,
  ProviderAdapter,
  ProviderCredentials,
} from "../port.ts";
import { isProviderError, ProviderError } from "../provider-error.ts";
import { mapDocument } from "./map-document.ts";
import { readCreate, readLookup, tokenRefused } from "./read-answer.ts";
import { login } from "./sinvoice-login.ts";
import { type AccessToken, TokenCache } from "./token-cache.ts";
import { classifyTransportError, type HttpAnswer, Transport } from "./transport.ts";

export interface SInvoiceTimeouts {
  /** TCP connect; a connect failure is certainly-not-created. Default 3 s. */
  connectMs?: number;
  /**
   * Whole createInvoice call. Default 15 s — far below the spec's 60-90 s: a timeout here is an
   * unknown outcome that the issuer resolves by lookup, which is cheaper than holding a send slot
   * for 90 s.
   */
  createMs?: number;
  /** searchInvoiceByTransactionUuid. Default 10 s. */
  lookupMs?: number;
  /** auth/login. Default 10 s. */
  loginMs?: number;
}

export interface SInvoiceAdapterOptions {
  /** API root, e.g. `https://api-vinvoice.viettel.vn/services/einvoiceapplication/api`. */
  baseUrl: string;
  /** Login URL; default `<origin of baseUrl>/auth/login` (SInvoice serves it outside the API root). */
  authUrl?: string;
  timeouts?: SInvoiceTimeouts;
  /** Sockets per origin (hundreds of sends in flight need as many). Default 256. */
  connections?: number;
  /** Log in again this long before a token expires (at most a fifth of its lifetime). Default 60 s. */
  tokenRefreshMarginMs?: number;
  /**
   * After an unknown outcome, no resend of the key before this long: SInvoice may still be working
   * on the first request, and a concurrent second one creates a second invoice. The spec asks to wait
   * for the answer or at least 90 s (section 5.4). Default 90 s.
   */
  unknownOutcomeSettleMs?: number;
  /** After an asynchronous acceptance, look the number up this long later (spec: 30-90 s). Default 30 s. */
  asyncLookupAfterMs?: number;
  now?: () => number;
  logger?: Logger;
}

const CREATE_PATH = "/InvoiceAPI/InvoiceWS/createInvoice/";
const SEARCH_PATH = "/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid";
const MAX_LOGGED_BODY = 4_096;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** A copy of `error` that also says when a resend of the key becomes safe. */
function settled(error: ProviderError, resendNotBefore: number): ProviderError {
  if (error.verdict !== "unknown" || error.resendNotBefore !== undefined) return error;
  return new ProviderError(error.code, error.message, {
    operation: error.operation,
    cause: error.cause,
    verdict: error.verdict,
    resendNotBefore,
    ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
    ...(error.providerCode !== undefined ? { providerCode: error.providerCode } : {}),
    ...(error.retryAt !== undefined ? { retryAt: error.retryAt } : {}),
  });
}

/**
 * Viettel SInvoice over its JSON API (spec "SInvoice - tài liệu tích hợp"): token login
 * (`auth/login`, token in `Cookie: access_token=...`), `createInvoice/{supplierTaxCode}` (server-side
 * HSM signature) and `searchInvoiceByTransactionUuid`. One instance per API base URL; the account
 * comes with each request, so one adapter serves every merchant.
 */
export class SInvoiceAdapter implements ProviderAdapter {
  readonly provider = "sinvoice";
  readonly endpoint: string;
  private readonly authUrl: string;
  private readonly transport: Transport;
  private readonly tokens: TokenCache;
  private readonly timeouts: Required<SInvoiceTimeouts>;
  private readonly now: () => number;
  private readonly settleMs: number;
  private readonly asyncLookupAfterMs: number;
  private readonly refreshMarginMs: number;
  private readonly logger: Logger | undefined;

  constructor(options: SInvoiceAdapterOptions) {
    this.endpoint = options.baseUrl.replace(/\/+$/, "");
    this.authUrl = options.authUrl ?? `${new URL(this.endpoint).origin}/auth/login`;
    this.timeouts = {
      connectMs: 3_000,
      createMs: 15_000,
      lookupMs: 10_000,
      loginMs: 10_000,
      ...options.timeouts,
    };
    this.transport = new Transport({
      connectTimeoutMs: this.timeouts.connectMs,
      connections: options.connections ?? 256,
    });
    this.now = options.now ?? Date.now;
    this.settleMs = options.unknownOutcomeSettleMs ?? 90_000;
    this.asyncLookupAfterMs = options.asyncLookupAfterMs ?? 30_000;
    this.refreshMarginMs = options.tokenRefreshMarginMs ?? 60_000;
    this.logger = options.logger;
    this.tokens = new TokenCache(
      (credentials) =>
        login(credentials, {
          transport: this.transport,
          authUrl: this.authUrl,
          timeoutMs: this.timeouts.loginMs,
          refreshMarginMs: this.refreshMarginMs,
          now: this.now,
          ...(this.logger ? { logger: this.logger } : {}),
        }),
      this.now,
    );
  }

  /**
   * One authenticated POST; after a refused token, one fresh login and one more try. Returns the
   * final answer and the token-refusal kind of the first answer ("general" = SInvoice's ambiguous
   * HTTP 500 GENERAL, which the caller must resolve by lookup before resending).
   */
  private async authenticated(
    credentials: ProviderCredentials,
    send: (token: AccessToken) => Promise<HttpAnswer>,
    beforeRetry?: (token: AccessToken) => Promise<"send" | LookupOutcome>,
  ): Promise<{ answer: HttpAnswer; calls: number } | { resolved: LookupOutcome; calls: number }> {
    let token = await this.tokens.get(credentials);
    let answer = await send(token);
    const refused = tokenRefused(answer);
    if (!refused) return { answer, calls: 1 };
    this.logger?.info(
      { provider: this.provider, username: credentials.username, refused },
      "provider refused the access token; logging in again",
    );
    this.tokens.invalidate(credentials, token);
    token = await this.tokens.get(credentials);
    if (refused === "general" && beforeRetry) {
      const decision = await beforeRetry(token);
      if (decision !== "send") return { resolved: decision, calls: 2 };
    }
    answer = await send(token);
    if (answer.status === 401) {
      const error = new ProviderError("PROVIDER_AUTH_REJECTED", "a freshly issued token was refused", {
        operation: "login",
        httpStatus: 401,
      });
      throw error;
    }
    return { answer, calls: 2 };
  }

  async issue(request: IssueRequest, options: { signal?: AbortSignal } = {}): Promise<IssueOutcome> {
    const { attemptId, idempotencyKey, seller } = request;
    const failed = (error: ProviderError, exchange?: Exchange): IssueOutcome => ({
      kind: "failed",
      attemptId,
      idempotencyKey,
      error: settled(error, this.now() + this.settleMs),
      ...(exchange ? { exchange } : {}),
    });
    const mapped = mapDocument(request);
    if (!mapped.ok) {
      const error = new ProviderError(
        "PROVIDER_REQUEST_INVALID",
        `refused before sending: ${mapped.issues.join("; ")}`,
        { operation: "createInvoice" },
      );
      return failed(error);
    }
    const body = JSON.stringify(mapped.body);
    const exchange: Exchange = {
      operation: "createInvoice",
      requestSha256: sha256(body),
      requestBody: body,
      latencyMs: 0,
      calls: 0,
    };
    const url = `${this.endpoint}${CREATE_PATH}${encodeURIComponent(seller.supplierTaxCode)}`;
    const started = this.now();
    const send = (token: AccessToken) =>
      this.transport.post(
        url,
        body,
        this.headers(token, "application/json"),
        this.timeouts.createMs,
        options.signal,
      );
    try {
      const result = await this.authenticated(seller.credentials, send, async (token) => {
        // HTTP 500 GENERAL is "token expired" per the spec, but a 500 may also come after the invoice
        // was made: look the key up before sending it again.
        const found = await this.search(request, token, options.signal);
        return found.kind === "not-found" ? "send" : found;
      });
      exchange.latencyMs = this.now() - started;
      exchange.calls = result.calls;
      if ("resolved" in result) return this.fromLookup(request, result.resolved, exchange);
      const { answer } = result;
      exchange.httpStatus = answer.status;
      exchange.responseBody = answer.body.slice(0, MAX_LOGGED_BODY);
      const reading = readCreate(answer, this.now());
      if (reading.kind === "failed") return failed(reading.error, exchange);
      if (reading.kind === "accepted") {
        return {
          kind: "accepted",
          attemptId,
          idempotencyKey,
          ...omitKind(reading),
          lookupAfter: this.now() + this.asyncLookupAfterMs,
          exchange,
        };
      }
      const invoice = {
        ...reading.invoice,
        supplierTaxCode: reading.invoice.supplierTaxCode || seller.supplierTaxCode,
        templateCode: seller.templateCode,
        issuedAt: mapped.body.generalInvoiceInfo.invoiceIssuedDate,
      };
      return { kind: "issued", attemptId, idempotencyKey, invoice, exchange };
    } catch (error) {
      exchange.latencyMs = this.now() - started;
      return failed(
        isProviderError(error) ? error : classifyTransportError(error, "createInvoice", options.signal),
        exchange,
      );
    }
  }

  /** An ambiguous create resolved by a lookup: what the lookup found is the outcome. */
  private fromLookup(request: IssueRequest, found: LookupOutcome, exchange: Exchange): IssueOutcome {
    const { attemptId, idempotencyKey } = request;
    if (found.kind === "found")
      return { kind: "issued", attemptId, idempotencyKey, invoice: found.invoice, exchange };
    if (found.kind === "pending") {
      return {
        kind: "accepted",
        attemptId,
        idempotencyKey,
        lookupAfter: this.now() + this.asyncLookupAfterMs,
        exchange,
      };
    }
    const error =
      found.kind === "failed"
        ? found.error
        : new ProviderError("PROVIDER_BAD_RESPONSE", "unexpected lookup result", {
            operation: "createInvoice",
          });
    // The create answered 500: whatever the lookup said, the outcome stays unknown.
    const unknown = new ProviderError(
      "PROVIDER_SERVER_ERROR",
      `createInvoice: HTTP 500 GENERAL, then ${error.message}`,
      {
        operation: "createInvoice",
        cause: error,
        httpStatus: 500,
        providerCode: "GENERAL",
        resendNotBefore: this.now() + this.settleMs,
      },
    );
    return { kind: "failed", attemptId, idempotencyKey, error: unknown, exchange };
  }

  private headers(token: AccessToken, contentType: string): Record<string, string> {
    return { cookie: `access_token=${token.value}`, "content-type": contentType, accept: "application/json" };
  }

  private async search(
    request: LookupRequest,
    token: AccessToken,
    signal?: AbortSignal,
  ): Promise<LookupOutcome> {
    return this.lookupWith(request, signal, async () => token);
  }

  lookup(request: LookupRequest, options: { signal?: AbortSignal } = {}): Promise<LookupOutcome> {
    return this.lookupWith(request, options.signal);
  }

  private async lookupWith(
    request: LookupRequest,
    signal: AbortSignal | undefined,
    firstToken?: () => Promise<AccessToken>,
  ): Promise<LookupOutcome> {
    const { idempotencyKey, seller } = request;
    const body = new URLSearchParams({
      supplierTaxCode: seller.supplierTaxCode,
      transactionUuid: idempotencyKey,
    }).toString();
    const exchange: Exchange = {
      operation: "searchInvoiceByTransactionUuid",
      requestSha256: sha256(body),
      requestBody: body,
      latencyMs: 0,
      calls: 0,
    };
    const url = `${this.endpoint}${SEARCH_PATH}`;
    const started = this.now();
    // A lookup creates nothing: all its failures are "not-created".
    const failed = (error: ProviderError): LookupOutcome => ({
      kind: "failed",
      idempotencyKey,
      error:
        error.verdict === "not-created"
          ? error
          : new ProviderError(error.code, error.message, {
              operation: "searchInvoiceByTransactionUuid",
              cause: error,
              verdict: "not-created",
              ...(error.retryAt ? { retryAt: error.retryAt } : {}),
            }),
      exchange,
    });
    try {
      const send = (token: AccessToken) =>
        this.transport.post(
          url,
          body,
          this.headers(token, "application/x-www-form-urlencoded"),
          this.timeouts.lookupMs,
          signal,
        );
      let answer: HttpAnswer;
      if (firstToken) {
        answer = await send(await firstToken());
        exchange.calls = 1;
      } else {
        const result = await this.authenticated(seller.credentials, send);
        if ("resolved" in result) return result.resolved; // not reached: lookups have no beforeRetry
        answer = result.answer;
        exchange.calls = result.calls;
      }
      exchange.latencyMs = this.now() - started;
      exchange.httpStatus = answer.status;
      exchange.responseBody = answer.body.slice(0, MAX_LOGGED_BODY);
      const reading = readLookup(answer, this.now());
      if (reading.kind === "failed") return failed(reading.error);
      if (reading.kind !== "found") return { kind: reading.kind, idempotencyKey, exchange };
      const invoices = reading.invoices.map((i) => ({
        ...i,
        supplierTaxCode: i.supplierTaxCode || seller.supplierTaxCode,
        templateCode: seller.templateCode,
      }));
      return {
        kind: "found",
        idempotencyKey,
        invoice: invoices[0] as (typeof invoices)[number],
        invoices,
        exchange,
      };
    } catch (error) {
      exchange.latencyMs = this.now() - started;
      return failed(
        isProviderError(error)
          ? error
          : classifyTransportError(error, "searchInvoiceByTransactionUuid", signal),
      );
    }
  }

  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.closing ??= this.transport.close();
    return this.closing;
  }
}

function omitKind<T extends { kind: string }>(value: T): Omit<T, "kind"> {
  const { kind: _kind, ...rest } = value;
  return rest;
}
