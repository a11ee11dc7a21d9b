import type { PaymentRefundedPayload } from "../events.ts";
import { mayExist } from "./attempts.ts";
import { REFUNDED_BEFORE_ISSUANCE } from "./corrections.ts";
import { closeClaim } from "./issuance.ts";
import { drive } from "./sends.ts";
import { settle } from "./settle.ts";
import {
  fullyRefunded,
  hasIssuedInvoice,
  headInvoice,
  type OrderState,
  type RefundFact,
  readyForCorrections,
  refundedSoFar,
  replaceInvoice,
} from "./state.ts";
import { type DecideContext, newOrder, type Step, StepBuilder } from "./step.ts";

function isValidRefund(p: PaymentRefundedPayload | undefined): p is PaymentRefundedPayload {
  return (
    !!p &&
    typeof p.refundId === "string" &&
    p.refundId !== "" &&
    Number.isSafeInteger(p.amountVnd) &&
    p.amountVnd > 0 &&
    typeof p.full === "boolean"
  );
}

/**
 * A full refund before anything was issued: nothing was sold, so no invoice is made. The pending
 * invoice is cancelled; if a send's outcome is unknown the provider may hold it after all, so it is
 * looked up (when the lease allows): if it is there, it is corrected like any issued invoice of a
 * refunded sale (a decrease adjustment, or a human case by policy).
 */
export function cancelBeforeIssuance(b: StepBuilder, state: OrderState): { next: OrderState; note: string } {
  let next = closeClaim(b, state, "refunded");
  const { pendingBuyerChange: _dropped, ...withoutChange } = next;
  next = withoutChange;
  const head = headInvoice(next);
  let note = "full refund before issuance";
  if (head && (head.status === "issuing" || head.status === "failed")) {
    b.push({
      type: "CancelPendingIssuance",
      invoiceSeq: head.seq,
      transactionUuid: head.transactionUuid,
      reason: REFUNDED_BEFORE_ISSUANCE,
    });
    b.publish("IssuanceCancelled", {
      invoiceSeq: head.seq,
      transactionUuid: head.transactionUuid,
      reason: REFUNDED_BEFORE_ISSUANCE,
    });
    const { failure: _f, ...rest } = head;
    const cancelled = { ...rest, status: "cancelled" as const };
    next = replaceInvoice(next, cancelled);
    if (mayExist(cancelled)) {
      const looked = drive(b, next, cancelled);
      next = looked.state;
      note = `${note}; the provider may hold invoice ${head.seq}: ${looked.note ?? "looked up"}`;
    }
  }
  return {
    next: {
      ...next,
      status: "FAILED",
      failure: {
        code: REFUNDED_BEFORE_ISSUANCE,
        message: "payment fully refunded before an invoice was issued",
      },
    },
    note,
  };
}

/**
 * Before issuance a full refund cancels the pending issuance (FAILED with reason
 * REFUNDED_BEFORE_ISSUANCE) and a partial one waits; after issuance every refund becomes an
 * adjustment invoice (or a human case, by policy). Refunds still pending are adjusted as soon as the
 * invoice is issued with its number, including an invoice the provider issued despite the
 * cancellation. A refund that arrives before its payment is recorded and applied when the payment
 * arrives (events are never parked for a retry).
 *
 * "Full" means the refunds add up to the amount paid; the `full` flag alone never cancels. A refund
 * flagged full whose amount falls short is recorded as the partial refund its amount says (the money
 * is the fact) and surfaced for a human (REFUND_FLAG_MISMATCH).
 */
export function onPaymentRefunded(ctx: DecideContext<"PaymentRefunded">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = event.payload;
  if (!isValidRefund(p)) return b.reject("INVALID_EVENT", "PaymentRefunded payload is malformed");
  const recorded = state?.refunds.find((r) => r.refundId === p.refundId);
  if (state && recorded) {
    // `full` was re-derived from the amounts when recorded, so only the amount tells a repeat apart.
    if (recorded.amountVnd === p.amountVnd) return b.done(state, "ignored", "refund already recorded");
    b.human(
      "CONFLICTING_DUPLICATE",
      `refund ${p.refundId} arrived again for ${p.amountVnd} VND, recorded for ${recorded.amountVnd} VND: not applied`,
    );
    return b.done(state, "recorded", "refund id repeated with another amount");
  }
  const base = state ?? newOrder(event, "REQUESTED");
  if (!base.payment) {
    const refund: RefundFact = {
      refundId: p.refundId,
      amountVnd: p.amountVnd,
      full: p.full,
      status: "pending",
    };
    return b.done(
      { ...base, refunds: [...base.refunds, refund] },
      "recorded",
      "refund before its payment: applied when the payment arrives",
    );
  }
  const paid = base.payment.amountVnd;
  const total = refundedSoFar(base) + p.amountVnd;
  if (total > paid) return b.reject("INVALID_REFUND", "refunds would exceed the amount paid");
  const full = total === paid;
  if (p.full && !full) {
    b.human(
      "REFUND_FLAG_MISMATCH",
      `refund ${p.refundId} is flagged full but brings the refunds to ${total} of ${paid} VND paid: recorded as partial`,
    );
  }
  const refund: RefundFact = { refundId: p.refundId, amountVnd: p.amountVnd, full, status: "pending" };
  return applyRefunds(b, { ...base, refunds: [...base.refunds, refund] });
}

/** What the order's refunds (just recorded) mean for its invoicing now. */
export function applyRefunds(b: StepBuilder, state: OrderState): Step {
  const full = fullyRefunded(state);
  if (!hasIssuedInvoice(state)) {
    if (full) {
      const { next, note } = cancelBeforeIssuance(b, state);
      return b.done(next, "applied", note);
    }
    return b.done(state, "recorded", "partial refund before issuance: adjusted once the invoice is issued");
  }
  const { pendingBuyerChange: _dropped, ...rest } = state;
  const next = full ? rest : state;
  if (!readyForCorrections(next)) {
    return b.done(next, "recorded", "refund waits for the invoice standing for the order (and its number)");
  }
  return b.done(settle(b, next), "applied", "refund after issuance: adjustment");
}
