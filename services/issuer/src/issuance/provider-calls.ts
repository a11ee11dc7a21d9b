/**
 * Performs one provider-call effect and says what happened as the SendResult the machine expects
 * (domain README "Provider calls"), plus the InvoiceIssuance log of the call. The attempt id goes
 * with the call and comes back on the result. One call per effect, no retries of its own: the
 * timeout is `providerCallTimeoutMs` (the call ends inside the lease), and past `startBy` nothing
 * is called at all (`not-sent`).
 */
import { createHash } from "node:crypto";
import {
  type InvoiceBuyer,
  type OrderState,
  type ProviderEffect,
  providerCallTimeoutMs,
  type SendResultPayload,
  vietnamDateOf,
} from "@invoice/domain";
import type {
  Exchange,
  IssuedInvoice,
  LookupOutcome,
  ProviderAdapter,
  ProviderError,
  SellerContext,
} from "@invoice/provider";
import type { AttemptLog } from "./decision-store.ts";
import { buildDocumentFor } from "./invoice-document.ts";
import type { InvoiceRowView } from "./invoice-rows.ts";
import type { CredentialSource } from "./provider-credentials.ts";

export interface CallResult {
  result: SendResultPayload;
  log?: AttemptLog;
  /** For a not-sent call: the earliest time a retry can help (breaker reopening, Retry-After). */
  retryAt?: number;
}

export interface ProviderCallContext {
  adapter: ProviderAdapter;
  /** The account of each merchant (its stored credential; the fallback outside production). */
  credentials: CredentialSource;
  now: () => number;
}

const issuedFields = (invoice: IssuedInvoice) => ({
  invoiceNo: invoice.invoiceNo,
  series: invoice.series,
  invoiceDate: vietnamDateOf(invoice.issuedAt),
});

const errorFields = (error: ProviderError) => ({ errorCode: error.code, errorMessage: error.message });

function logOf(
  effect: ProviderEffect,
  operation: AttemptLog["operation"],
  outcome: AttemptLog["outcome"],
  startedAt: number,
  ctx: ProviderCallContext,
  exchange?: Exchange,
  error?: ProviderError,
): AttemptLog {
  return {
    transactionUuid: effect.transactionUuid,
    attempt: effect.attempt,
    attemptId: effect.attemptId,
    operation,
    outcome,
    provider: ctx.adapter.provider,
    startedAt,
    finishedAt: ctx.now(),
    ...(exchange ? { exchange } : {}),
    ...(error ? { errorClass: error.code, errorMessage: error.message } : {}),
  };
}

function lookupResult(
  effect: ProviderEffect,
  outcome: LookupOutcome,
  startedAt: number,
  ctx: ProviderCallContext,
): CallResult {
  const base = { attemptId: effect.attemptId };
  switch (outcome.kind) {
    case "found":
      return {
        result: { ...base, outcome: "found", ...issuedFields(outcome.invoice) },
        log: logOf(effect, "LOOKUP", "SUCCEEDED", startedAt, ctx, outcome.exchange),
      };
    case "pending": // held, not numbered yet: a number lookup follows
      return {
        result: { ...base, outcome: "found" },
        log: logOf(effect, "LOOKUP", "SUCCEEDED", startedAt, ctx, outcome.exchange),
      };
    case "not-found":
      return {
        result: { ...base, outcome: "not-found" },
        log: logOf(effect, "LOOKUP", "NOT_FOUND", startedAt, ctx, outcome.exchange),
      };
    case "failed":
      // A lookup that failed learned nothing and sent nothing.
      return {
        result: { ...base, outcome: "not-sent", ...errorFields(outcome.error) },
        log: logOf(effect, "LOOKUP", "TRANSIENT_FAILURE", startedAt, ctx, outcome.exchange, outcome.error),
        ...(outcome.error.retryAt ? { retryAt: outcome.error.retryAt } : {}),
      };
  }
}

export async function performProviderCall(
  effect: ProviderEffect,
  state: OrderState,
  row: InvoiceRowView | undefined,
  ctx: ProviderCallContext,
): Promise<CallResult> {
  const startedAt = ctx.now();
  const base = { attemptId: effect.attemptId };
  const timeoutMs = providerCallTimeoutMs(effect, startedAt);
  if (timeoutMs === undefined) {
    return {
      result: {
        ...base,
        outcome: "not-sent",
        errorCode: "START_WINDOW_PASSED",
        errorMessage: "startBy passed",
      },
    };
  }
  if (!row) {
    return {
      result: {
        ...base,
        outcome: effect.type === "LookUpInvoice" ? "not-sent" : "rejected",
        errorCode: "MERCHANT_NOT_CONFIGURED",
        errorMessage:
          "no seller tax info or provider configuration for this merchant, or the document is invalid",
      },
    };
  }
  const account = await ctx.credentials.forMerchant(state.merchantId, row.provider.provider);
  if (!account.ok) {
    // Nothing was sent. A first send is refused for good (the invoice FAILS with the reason; a
    // replay resumes it once the merchant has stored a credential); a lookup, a send that had to
    // look up first (it learned nothing) and an outage are only not sent, retried after the backoff.
    const refused =
      effect.type !== "LookUpInvoice" && !effect.lookupFirst && !account.retriable ? "rejected" : "not-sent";
    return {
      result: { ...base, outcome: refused, errorCode: account.code, errorMessage: account.message },
    };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const seller: SellerContext = {
    supplierTaxCode: row.provider.supplierTaxCode,
    templateCode: row.provider.templateCode,
    credentials: account.credentials,
  };
  // A refused login or token: the merchant may have just changed the account; read it again next time.
  const watch = <T extends { kind: string; error?: ProviderError }>(outcome: T): T => {
    if (outcome.kind === "failed" && outcome.error?.code === "PROVIDER_AUTH_REJECTED") {
      ctx.credentials.invalidate(state.merchantId, row.provider.provider);
    }
    return outcome;
  };
  const lookup = { idempotencyKey: effect.transactionUuid, seller, attemptId: effect.attemptId };
  if (effect.type === "LookUpInvoice") {
    return lookupResult(effect, watch(await ctx.adapter.lookup(lookup, { signal })), startedAt, ctx);
  }
  const invoice = state.invoices.find((i) => i.seq === effect.invoiceSeq);
  const buyer: InvoiceBuyer = effect.buyer;
  const built = invoice
    ? buildDocumentFor(
        state,
        { ...invoice, buyer, invoiceDate: effect.invoiceDate },
        row.seller,
        row.provider,
      )
    : undefined;
  if (!built?.ok) {
    const reason = built && !built.ok ? built.reason : `invoice ${effect.invoiceSeq} not in the state`;
    return { result: { ...base, outcome: "rejected", errorCode: "INVALID_DOCUMENT", errorMessage: reason } };
  }
  const sent = {
    buyer,
    documentHash: createHash("sha256").update(JSON.stringify(built.document)).digest("hex"),
  };
  if (effect.lookupFirst) {
    const looked = lookupResult(effect, watch(await ctx.adapter.lookup(lookup, { signal })), startedAt, ctx);
    if (looked.result.outcome !== "not-found") return looked;
  }
  const outcome = watch(
    await ctx.adapter.issue(
      {
        document: built.document,
        idempotencyKey: effect.transactionUuid,
        attemptId: effect.attemptId,
        seller,
        ...(effect.type === "IssueAdjustment"
          ? {
              correction: {
                adjustmentKind: effect.reason.kind === "buyer" ? ("info" as const) : ("money" as const),
              },
            }
          : {}),
      },
      { signal },
    ),
  );
  switch (outcome.kind) {
    case "issued":
      return {
        result: { ...base, outcome: "issued", sent, ...issuedFields(outcome.invoice) },
        log: logOf(effect, "ISSUE", "SUCCEEDED", startedAt, ctx, outcome.exchange),
      };
    case "accepted": // numbered later: the machine asks for number lookups
      return {
        result: { ...base, outcome: "issued", sent },
        log: logOf(effect, "ISSUE", "SUCCEEDED", startedAt, ctx, outcome.exchange),
      };
    case "failed": {
      const { error } = outcome;
      const kind =
        error.verdict === "unknown" ? "unknown" : error.retriable ? "not-sent" : ("rejected" as const);
      const logOutcome =
        kind === "unknown" ? "UNKNOWN" : kind === "rejected" ? "PERMANENT_FAILURE" : "TRANSIENT_FAILURE";
      return {
        result: { ...base, outcome: kind, sent, ...errorFields(error) },
        log: logOf(effect, "ISSUE", logOutcome, startedAt, ctx, outcome.exchange, error),
        ...(kind === "not-sent" && error.retryAt ? { retryAt: error.retryAt } : {}),
      };
    }
  }
}
