import type { ProviderCallbackPayload } from "../events.ts";
import { settleAfterIssued } from "./corrections.ts";
import { type InvoiceRecord, invoiceBySeq, issuedStatus, type OrderState, replaceInvoice } from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

function isValidCallback(p: ProviderCallbackPayload | undefined): p is ProviderCallbackPayload {
  return !!p && typeof p.transactionUuid === "string" && (p.outcome === "issued" || p.outcome === "failed");
}

function withoutFailure(state: OrderState): OrderState {
  const { failure: _dropped, ...rest } = state;
  return rest;
}

function onIssued(
  b: StepBuilder,
  state: OrderState,
  record: InvoiceRecord,
  invoiceNo: string | undefined,
): Step {
  if (record.status === "issued") {
    if (invoiceNo !== undefined && record.invoiceNo !== undefined && invoiceNo !== record.invoiceNo) {
      b.human(
        "CONTRADICTORY_CALLBACK",
        `invoice ${record.seq} reported issued as ${record.invoiceNo} and ${invoiceNo}`,
      );
      return b.done(state, "recorded");
    }
    return b.done(state, "ignored", "already issued");
  }
  const wasCancelled = record.status === "cancelled";
  const { failure: _f, ...base } = record;
  const issued: InvoiceRecord = {
    ...base,
    status: "issued",
    ...(invoiceNo !== undefined ? { invoiceNo } : {}),
  };
  let next = replaceInvoice(state, issued);
  b.publish("InvoiceIssued", {
    invoiceSeq: issued.seq,
    role: issued.role,
    transactionUuid: issued.transactionUuid,
    ...(invoiceNo !== undefined ? { invoiceNo } : {}),
  });
  if (issued.role === "replacement" && issued.relatesToSeq !== undefined) {
    // A replacement resumed after failing re-takes its predecessor's place.
    const target = invoiceBySeq(next, issued.relatesToSeq);
    if (target) next = replaceInvoice(next, { ...target, supersededBySeq: issued.seq });
  }
  if (issued.role === "adjustment") return b.done({ ...next, status: issuedStatus(next) }, "applied");
  next = settleAfterIssued(b, withoutFailure(next));
  const note = wasCancelled ? "issued despite cancellation: refunds become adjustments" : undefined;
  return b.done(next, "applied", note);
}

function onFailed(
  b: StepBuilder,
  state: OrderState,
  record: InvoiceRecord,
  p: ProviderCallbackPayload,
): Step {
  if (record.status === "issued") {
    // A late failure of an earlier attempt under the same key: the key's invoice exists, and the
    // provider's lookup by key is the truth. Audited, not escalated.
    return b.done(state, "ignored", "stale failure for an invoice already issued");
  }
  if (record.status === "failed") return b.done(state, "ignored", "already failed");
  if (record.status === "cancelled")
    return b.done(state, "ignored", "cancelled issuance confirmed not issued");
  const failure = { code: p.errorCode || "PROVIDER_FAILED", message: p.errorMessage ?? "" };
  let next = replaceInvoice(state, { ...record, status: "failed", failure });
  b.publish("InvoiceFailed", {
    invoiceSeq: record.seq,
    role: record.role,
    transactionUuid: record.transactionUuid,
    errorCode: failure.code,
    errorMessage: failure.message,
  });
  if (record.role === "original") {
    return b.done({ ...next, status: "FAILED", failure }, "applied", `issuance failed: ${failure.code}`);
  }
  if (record.role === "replacement" && record.relatesToSeq !== undefined) {
    // The replaced invoice was never taken over: it stands again.
    const target = invoiceBySeq(next, record.relatesToSeq);
    if (target) {
      const { supersededBySeq: _s, ...restored } = target;
      next = replaceInvoice(next, restored);
    }
  }
  b.human("CORRECTION_FAILED", `${record.role} invoice ${record.seq} failed: ${failure.code}`);
  return b.done({ ...next, status: issuedStatus(next) }, "applied");
}

/** The provider's asynchronous result for one of the order's invoices, matched by transactionUuid. */
export function onProviderCallback(ctx: DecideContext<"ProviderCallback">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = event.payload;
  if (!isValidCallback(p)) return b.reject("INVALID_EVENT", "ProviderCallback payload is malformed", false);
  const record = state?.invoices.find((i) => i.transactionUuid === p.transactionUuid);
  if (!state || !record)
    return b.reject("UNKNOWN_TRANSACTION", "no invoice of this order has that key", false);
  if (p.outcome === "issued") return onIssued(b, state, record, p.invoiceNo || undefined);
  return onFailed(b, state, record, p);
}
