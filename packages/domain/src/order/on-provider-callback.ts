import { sameBuyer } from "../buyer.ts";
import type { ProviderCallbackPayload } from "../events.ts";
import { abandonIfLaterBuyerAdjustment } from "./corrections.ts";
import { refOf } from "./issuance.ts";
import { settle } from "./settle.ts";
import {
  activeInvoice,
  type InvoiceRecord,
  invoiceBySeq,
  issuedStatus,
  type OrderState,
  replaceInvoice,
} from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

function isValidCallback(p: ProviderCallbackPayload | undefined): p is ProviderCallbackPayload {
  return !!p && typeof p.transactionUuid === "string" && (p.outcome === "issued" || p.outcome === "failed");
}

function withoutFailure(state: OrderState): OrderState {
  const { failure: _dropped, ...rest } = state;
  return rest;
}

/**
 * Why an "issued" result cannot simply be applied, or undefined when it can. A correction abandoned
 * for a newer one, or a replacement whose predecessor another invoice has taken over (or that is not
 * the invoice standing for the order), would make a second active invoice: the provider now holds an
 * invoice the order's history says should not exist, which only a human can sort out.
 */
function contradiction(state: OrderState, record: InvoiceRecord): string | undefined {
  if (record.status === "abandoned") {
    const why =
      record.abandonedForSeq === undefined ? "for newer buyer info" : `for invoice ${record.abandonedForSeq}`;
    return `${record.role} invoice ${record.seq} failed and was abandoned ${why}, but the provider reports it issued`;
  }
  if (record.role !== "replacement") return undefined;
  const target = record.relatesToSeq === undefined ? undefined : invoiceBySeq(state, record.relatesToSeq);
  const active = activeInvoice(state);
  const takenBy = target?.supersededBySeq;
  if (
    !target ||
    (takenBy !== undefined && takenBy !== record.seq) ||
    (active !== undefined && active.seq !== record.seq && active.seq !== target.seq)
  ) {
    return `replacement invoice ${record.seq} reported issued, but invoice ${record.relatesToSeq} is already replaced by invoice ${takenBy ?? active?.seq}`;
  }
  return undefined;
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
  const problem = contradiction(state, record);
  if (problem) {
    b.human("CONTRADICTORY_CALLBACK", `${problem}${invoiceNo ? ` (number ${invoiceNo})` : ""}`);
    return b.done(state, "recorded", problem);
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
  if (issued.role === "adjustment") {
    // A buyer change may have waited for this adjustment.
    next = { ...next, status: issuedStatus(next) };
    if (activeInvoice(next)?.status === "issued") next = settle(b, next);
    return b.done(next, "applied");
  }
  next = settle(b, withoutFailure(next));
  const note = wasCancelled ? "issued despite cancellation: refunds become adjustments" : undefined;
  return b.done(next, "applied", note);
}

/**
 * The original failed: nothing was issued under its key. A buyer change that waited for the result
 * is applied now as a retarget, exactly as if it had arrived after the failure, so the replay sends
 * the newest buyer whichever of "change" and "failure" came first.
 */
function retargetFailedOriginal(state: OrderState, failed: InvoiceRecord): OrderState | undefined {
  const { pendingBuyerChange: pending, ...rest } = state;
  if (!pending) return undefined;
  if (sameBuyer(failed.buyer, pending.buyer)) return rest;
  return replaceInvoice(rest, { ...failed, buyer: pending.buyer, basis: refOf(pending) });
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
  if (record.status === "abandoned")
    return b.done(state, "ignored", "abandoned correction confirmed not issued");
  const failure = { code: p.errorCode || "PROVIDER_FAILED", message: p.errorMessage ?? "" };
  const failed: InvoiceRecord = { ...record, status: "failed", failure };
  let next = replaceInvoice(state, failed);
  b.publish("InvoiceFailed", {
    invoiceSeq: record.seq,
    role: record.role,
    transactionUuid: record.transactionUuid,
    errorCode: failure.code,
    errorMessage: failure.message,
  });
  if (record.role === "original") {
    const retargeted = retargetFailedOriginal(next, failed);
    const note = `issuance failed: ${failure.code}${retargeted ? "; retargeted to the pending buyer change" : ""}`;
    return b.done({ ...(retargeted ?? next), status: "FAILED", failure }, "applied", note);
  }
  b.human("CORRECTION_FAILED", `${record.role} invoice ${record.seq} failed: ${failure.code}`);
  next = abandonIfLaterBuyerAdjustment(b, next, failed);
  if (record.role === "replacement" && record.relatesToSeq !== undefined) {
    // The replaced invoice was never taken over: it stands again.
    const target = invoiceBySeq(next, record.relatesToSeq);
    if (target) {
      const { supersededBySeq: _s, ...restored } = target;
      next = replaceInvoice(next, restored);
    }
  }
  // What waited for the correction (refunds, a newer buyer change) is settled against the invoice
  // that stands now.
  if (activeInvoice(next)?.status === "issued") next = settle(b, next);
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
