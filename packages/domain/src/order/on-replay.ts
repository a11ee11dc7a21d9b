import { applyExpiry } from "./on-claim-expired.ts";
import { publishIssued } from "./provider-results.ts";
import { drive } from "./sends.ts";
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
 * A failed replacement may be resumed only while it can stand for the order: it still holds its
 * predecessor's place (its outcome was unknown), or the predecessor it would replace is the issued
 * invoice standing now. Otherwise resuming it would make a second active invoice.
 */
function canResume(state: OrderState, invoice: InvoiceRecord): boolean {
  if (invoice.role !== "replacement") return true;
  const target = invoice.relatesToSeq === undefined ? undefined : invoiceBySeq(state, invoice.relatesToSeq);
  if (target?.supersededBySeq === invoice.seq) return true;
  const active = activeInvoice(state);
  return active !== undefined && active.seq === invoice.relatesToSeq && active.status === "issued";
}

/** A failed invoice goes back to issuing (the replay's intent survives any lease wait). */
function reopen(state: OrderState, invoice: InvoiceRecord): OrderState {
  const { failure: _f, ...rest } = invoice;
  let next = replaceInvoice(state, { ...rest, status: "issuing" });
  if (invoice.role === "replacement" && invoice.relatesToSeq !== undefined) {
    const target = invoiceBySeq(next, invoice.relatesToSeq);
    if (target) next = replaceInvoice(next, { ...target, supersededBySeq: invoice.seq });
  }
  return next;
}

function statusAfterReplay(state: OrderState): OrderState {
  const original = state.invoices.find((i) => i.role === "original");
  if (original?.status === "issuing") {
    const { failure: _f, ...rest } = state;
    return { ...rest, status: "ISSUING" };
  }
  return original?.status === "issued" ? { ...state, status: issuedStatus(state) } : state;
}

/**
 * An operator (or a DLQ re-publish) asks to push the order forward. Never a new invoice: every
 * invoice that failed (and can stand) is resumed under its key, every call still open gets its lease
 * checked, a cancelled invoice whose outcome is unknown is looked up, an issued one without a number
 * is asked for it; a claim whose deadline passed is expired. Calls go out only as the lease rules
 * allow (sends.ts `drive`): a call inside its lease, or past a lease set by a clock that may be
 * behind, is not followed up at once. With nothing to do, the issued invoice is re-published.
 */
export function onReplayRequested(ctx: DecideContext<"ReplayRequested">): Step {
  const b = new StepBuilder(ctx);
  const { state, now } = ctx;
  if (!state?.payment) return b.reject("NOTHING_TO_REPLAY", "order is not paid");
  if (state.status === "AWAITING_CLAIM") {
    if (!state.claim || now < state.claim.deadline) return b.done(state, "ignored", "claim still open");
    return b.done(applyExpiry(b, state), "applied", "claim deadline passed: anonymous");
  }
  let next: OrderState = state;
  const notes: string[] = [];
  for (const { seq } of state.invoices) {
    let invoice = invoiceBySeq(next, seq);
    if (!invoice) continue;
    if (invoice.status === "failed") {
      if (!canResume(next, invoice)) continue;
      next = reopen(next, invoice);
      invoice = invoiceBySeq(next, seq) as InvoiceRecord;
      notes.push(`invoice ${seq} resumed`);
    }
    const result = drive(b, next, invoice);
    next = result.state;
    if (result.note) notes.push(result.note);
  }
  if (notes.length > 0) return b.done(statusAfterReplay(next), "applied", notes.join("; "));
  const active = activeInvoice(state);
  if (active?.status !== "issued" || active.invoiceNo === undefined) {
    return b.done(state, "ignored", "nothing to replay");
  }
  publishIssued(b, { ...active, invoiceNo: active.invoiceNo });
  return b.done(state, "applied", "re-published the issued invoice");
}
