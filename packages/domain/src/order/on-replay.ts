import { REFUNDED_BEFORE_ISSUANCE } from "./corrections.ts";
import { closeClaim, startOriginalIssuance } from "./issuance.ts";
import { SEND_IN_FLIGHT_GUARD_MS } from "./policy.ts";
import {
  activeInvoice,
  type InvoiceRecord,
  invoiceBySeq,
  issuedStatus,
  type OrderState,
  replaceInvoice,
} from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

/**
 * A failed replacement may be resumed only while the invoice it replaces is the one standing for the
 * order; otherwise resuming it would make a second active invoice (the decide guard would refuse it).
 */
function canResume(state: OrderState, invoice: InvoiceRecord): boolean {
  if (invoice.role !== "replacement" || invoice.status !== "failed") return true;
  const active = activeInvoice(state);
  return active !== undefined && active.seq === invoice.relatesToSeq && active.status === "issued";
}

/**
 * An operator asks to push the order forward. Resumes every invoice that failed or is stuck issuing
 * under its existing key (lookup first, never a new invoice); forces a lost claim expiry; otherwise
 * re-publishes the issued result for consumers that missed it.
 *
 * An invoice whose send was started less than the in-flight guard ago is left alone: the first send
 * may still be on its way, and a second send under the same key while it is would make SInvoice
 * create a second invoice. After the guard the resume tells the issuer to look the key up first.
 */
export function onReplayRequested(ctx: DecideContext<"ReplayRequested">): Step {
  const b = new StepBuilder(ctx);
  const { state, now, policy } = ctx;
  if (!state?.payment) return b.reject("NOTHING_TO_REPLAY", "order is not paid", false);
  if (state.status === "AWAITING_CLAIM") {
    if (!state.claim || now < state.claim.deadline) return b.done(state, "ignored", "claim still open");
    const next = closeClaim(b, state, "expired");
    return b.done(startOriginalIssuance(b, next, undefined), "applied", "claim deadline passed: anonymous");
  }
  if (state.failure?.code === REFUNDED_BEFORE_ISSUANCE) {
    return b.done(state, "ignored", "order was refunded before issuance");
  }
  const guardMs = policy.sendInFlightGuardMs ?? SEND_IN_FLIGHT_GUARD_MS;
  const inFlight = (i: InvoiceRecord) =>
    i.status === "issuing" && i.sendStartedAt !== undefined && now - i.sendStartedAt < guardMs;
  const unresolved = state.invoices.filter((i) => i.status === "failed" || i.status === "issuing");
  const resumable = unresolved.filter((i) => !inFlight(i) && canResume(state, i));
  if (resumable.length === 0) {
    const waiting = unresolved.filter(inFlight);
    if (waiting.length > 0) {
      const seqs = waiting.map((i) => i.seq).join(", ");
      return b.done(state, "ignored", `send of invoice ${seqs} in flight (guard ${guardMs} ms): not resent`);
    }
    if (unresolved.length > 0) return b.done(state, "ignored", "no failed invoice can be resumed");
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
      invoiceDate: invoice.invoiceDate,
      taxPointDate: invoice.taxPointDate,
      lookupFirst: true,
      ...(invoice.sendStartedAt !== undefined ? { previousSendStartedAt: invoice.sendStartedAt } : {}),
    });
    const { failure: _f, ...rest } = invoice;
    next = replaceInvoice(next, { ...rest, status: "issuing", sendStartedAt: now });
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
