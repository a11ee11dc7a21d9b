import { sameBuyer } from "../buyer.ts";
import { laterDate, vietnamDateOf } from "../local-date.ts";
import { settledAbsent } from "./attempts.ts";
import { isNewer, refOf } from "./issuance.ts";
import { MachineInvariantError } from "./machine-error.ts";
import { beginCall } from "./sends.ts";
import {
  activeInvoice,
  type BuyerFact,
  type CorrectionReason,
  effectiveBasis,
  effectiveBuyer,
  type InvoiceRecord,
  issuedStatus,
  type OrderState,
  replaceInvoice,
} from "./state.ts";
import type { StepBuilder } from "./step.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

export const REFUNDED_BEFORE_ISSUANCE = "REFUNDED_BEFORE_ISSUANCE";
/** IssuanceCancelled reason for a failed correction that a newer correction took over from. */
export const ABANDONED_FOR_CORRECTION = "ABANDONED_FOR_CORRECTION";
/** IssuanceCancelled reason for a failed buyer correction that newer buyer info contradicts. */
export const ABANDONED_FOR_NEWER_BUYER_INFO = "ABANDONED_FOR_NEWER_BUYER_INFO";

/**
 * A failed buyer correction whose buyer the newest buyer info seen for the order no longer names:
 * resumed, it would put stale buyer details on the invoice. Only one certainly absent at the provider
 * can be abandoned; one whose outcome is unknown waits for a replay's lookup.
 */
function overtaken(state: OrderState, failed: InvoiceRecord): boolean {
  const newest = state.buyer;
  if (failed.status !== "failed" || failed.reason?.kind !== "buyer" || !newest) return false;
  if (!settledAbsent(failed)) return false;
  return (!failed.basis || isNewer(newest, failed.basis)) && !sameBuyer(newest.buyer, failed.reason.buyer);
}

function abandon(b: StepBuilder, state: OrderState, failed: InvoiceRecord, reason: string, forSeq?: number) {
  b.publish("IssuanceCancelled", {
    invoiceSeq: failed.seq,
    transactionUuid: failed.transactionUuid,
    reason,
  });
  const abandoned: InvoiceRecord = { ...failed, status: "abandoned" };
  if (forSeq !== undefined) abandoned.abandonedForSeq = forSeq;
  return replaceInvoice(state, abandoned);
}

/**
 * Abandons every failed buyer correction that newer buyer info has overtaken. Runs after buyer info
 * was applied or a send was resolved, for the cases where no new correction takes over (the newest
 * info names the buyer already invoiced, or only its name/address differs); a new buyer correction
 * abandons them itself.
 */
export function abandonOvertakenBuyerCorrections(b: StepBuilder, state: OrderState): OrderState {
  let next = state;
  for (const failed of state.invoices) {
    if (overtaken(state, failed)) next = abandon(b, next, failed, ABANDONED_FOR_NEWER_BUYER_INFO);
  }
  return next;
}

/**
 * Buyer adjustments of one invoice go out one at a time, but a state from before that rule may hold a
 * failed buyer adjustment next to a later one: resuming it would let the provider's completion order,
 * not ours, decide which buyer stands. It is abandoned for the later one.
 */
export function abandonIfLaterBuyerAdjustment(
  b: StepBuilder,
  state: OrderState,
  failed: InvoiceRecord,
): OrderState {
  if (
    failed.status !== "failed" ||
    failed.role !== "adjustment" ||
    failed.reason?.kind !== "buyer" ||
    !settledAbsent(failed)
  ) {
    return state;
  }
  const later = state.invoices.find(
    (i) =>
      i.seq > failed.seq &&
      i.relatesToSeq === failed.relatesToSeq &&
      i.reason?.kind === "buyer" &&
      i.status !== "abandoned",
  );
  return later ? abandon(b, state, failed, ABANDONED_FOR_CORRECTION, later.seq) : state;
}

/**
 * A failed correction of `target` that the new correction conflicts with: a failed replacement
 * (resumed, it would take the place of an invoice the new correction refers to, or stand next to the
 * new replacement), and a failed buyer adjustment when the new correction changes the buyer again.
 * Failed refund adjustments never conflict: they are independent amounts and a replay resumes them.
 */
function conflicts(failed: InvoiceRecord, reason: CorrectionReason): boolean {
  if (!settledAbsent(failed)) return false;
  if (failed.role === "replacement") return true;
  return reason.kind === "buyer" && failed.reason?.kind === "buyer";
}

/**
 * Closes every failed correction of `target` the new correction `seq` conflicts with, so that no
 * replay ever resumes it next to the new one (two active replacements, or a replacement of an invoice
 * that has an adjustment). A buyer change carried by an abandoned correction that the new one does
 * not carry itself (the new one is a refund adjustment) is put back as the pending buyer change, unless
 * newer buyer info names someone else; the caller's settle step applies it through the
 * after-issuance rules.
 */
function abandonConflicting(
  b: StepBuilder,
  state: OrderState,
  target: InvoiceRecord,
  reason: CorrectionReason,
  seq: number,
): OrderState {
  let next = state;
  let requeue: BuyerFact | undefined;
  for (const failed of state.invoices) {
    if (failed.relatesToSeq !== target.seq || failed.status !== "failed" || !conflicts(failed, reason)) {
      continue;
    }
    next = abandon(b, next, failed, ABANDONED_FOR_CORRECTION, seq);
    // Its buyer goes on only while no newer info contradicts it.
    if (
      reason.kind !== "buyer" &&
      failed.reason?.kind === "buyer" &&
      failed.basis &&
      !overtaken(state, failed)
    ) {
      const fact: BuyerFact = { buyer: failed.reason.buyer, ...failed.basis };
      if (!requeue || isNewer(fact, requeue)) requeue = fact;
    }
  }
  const pending = next.pendingBuyerChange;
  if (requeue && (!pending || isNewer(requeue, pending))) next = { ...next, pendingBuyerChange: requeue };
  return next;
}

/** The latest invoice date of the order (corrections are never dated before it). */
function latestDate(state: OrderState): string {
  return state.invoices.reduce((latest, i) => laterDate(latest, i.invoiceDate), "");
}

/**
 * Starts an adjustment or replacement of the active, issued invoice. A replacement takes over from
 * the invoice it replaces at once, so there is never more than one active invoice. The correction is
 * dated the day it is made (the deciding clock's Vietnam date, as originals are: ADR 0020), never
 * before any earlier invoice of the order (the series' dates must not run backwards), and keeps the
 * sale's tax point date, so its VAT is computed at the rates of the original sale. A buyer adjustment
 * names the new buyer; a refund adjustment the buyer that stands.
 */
export function startCorrection(
  b: StepBuilder,
  state: OrderState,
  role: "adjustment" | "replacement",
  reason: CorrectionReason,
  fact?: BuyerFact,
): OrderState {
  const target = activeInvoice(state);
  if (target?.status !== "issued" || target.invoiceNo === undefined) {
    throw new MachineInvariantError("a correction needs an issued invoice with its number");
  }
  const seq = Math.max(...state.invoices.map((i) => i.seq)) + 1;
  let next = abandonConflicting(b, state, target, reason, seq);
  const transactionUuid = invoiceTransactionUuid(state.merchantId, state.orderId, seq);
  const standing = effectiveBuyer(state) ?? target.buyer;
  const buyer = reason.kind === "buyer" ? reason.buyer : standing;
  const invoiceDate = laterDate(vietnamDateOf(b.ctx.now), latestDate(state));
  const taxPointDate = target.taxPointDate;
  const record: InvoiceRecord = {
    seq,
    role,
    transactionUuid,
    buyer,
    status: "issuing",
    relatesToSeq: target.seq,
    reason,
    invoiceDate,
    taxPointDate,
    attempts: [],
  };
  const basis = fact ? refOf(fact) : effectiveBasis(state);
  if (basis) record.basis = basis;
  if (role === "replacement") next = replaceInvoice(next, { ...target, supersededBySeq: seq });
  next = beginCall(b, { ...next, invoices: [...next.invoices, record] }, record, "send");
  b.publish("CorrectionStarted", {
    invoiceSeq: seq,
    role,
    relatesToSeq: target.seq,
    transactionUuid,
    reason: reason.kind,
  });
  return { ...next, status: issuedStatus(next) };
}
