import { REFUNDED_BEFORE_ISSUANCE } from "./corrections.ts";
import { closeClaim, startOriginalIssuance } from "./issuance.ts";
import { activeInvoice, invoiceBySeq, issuedStatus, type OrderState, replaceInvoice } from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

/**
 * An operator asks to push the order forward. Resumes every invoice that failed or is stuck issuing
 * under its existing key (lookup first, never a new invoice); forces a lost claim expiry; otherwise
 * re-publishes the issued result for consumers that missed it.
 */
export function onReplayRequested(ctx: DecideContext<"ReplayRequested">): Step {
  const b = new StepBuilder(ctx);
  const { state, now } = ctx;
  if (!state?.payment) return b.reject("NOTHING_TO_REPLAY", "order is not paid", false);
  if (state.status === "AWAITING_CLAIM") {
    if (!state.claim || now < state.claim.deadline) return b.done(state, "ignored", "claim still open");
    const next = closeClaim(b, state, "expired");
    return b.done(startOriginalIssuance(b, next, undefined), "applied", "claim deadline passed: anonymous");
  }
  if (state.failure?.code === REFUNDED_BEFORE_ISSUANCE) {
    return b.done(state, "ignored", "order was refunded before issuance");
  }
  const resumable = state.invoices.filter((i) => i.status === "failed" || i.status === "issuing");
  if (resumable.length === 0) {
    const active = activeInvoice(state);
    if (!active) return b.done(state, "ignored", "nothing to replay");
    b.publish("InvoiceIssued", {
      invoiceSeq: active.seq,
      role: active.role,
      transactionUuid: active.transactionUuid,
      ...(active.invoiceNo !== undefined ? { invoiceNo: active.invoiceNo } : {}),
    });
    return b.done(state, "applied", "re-published the issued invoice");
  }
  let next: OrderState = state;
  for (const invoice of resumable) {
    b.push({
      type: "ResumeIssuance",
      invoiceSeq: invoice.seq,
      role: invoice.role,
      transactionUuid: invoice.transactionUuid,
      buyer: invoice.buyer,
      lookupFirst: true,
    });
    const { failure: _f, ...rest } = invoice;
    next = replaceInvoice(next, { ...rest, status: "issuing" });
    if (invoice.role === "replacement" && invoice.relatesToSeq !== undefined) {
      const target = invoiceBySeq(next, invoice.relatesToSeq);
      if (target) next = replaceInvoice(next, { ...target, supersededBySeq: invoice.seq });
    }
  }
  const original = next.invoices.find((i) => i.role === "original");
  if (original?.status === "issuing") {
    const { failure: _f, ...rest } = next;
    return b.done({ ...rest, status: "ISSUING" }, "applied", "resumed issuance");
  }
  return b.done({ ...next, status: issuedStatus(next) }, "applied", "resumed corrections");
}
