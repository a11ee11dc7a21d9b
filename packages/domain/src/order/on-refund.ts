import type { PaymentRefundedPayload } from "../events.ts";
import { REFUNDED_BEFORE_ISSUANCE } from "./corrections.ts";
import { closeClaim } from "./issuance.ts";
import { settle } from "./settle.ts";
import {
  activeInvoice,
  hasIssuedInvoice,
  headInvoice,
  type OrderState,
  type RefundFact,
  replaceInvoice,
} from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

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

/** A full refund before anything was issued: nothing was sold, so no invoice is made. */
function cancelBeforeIssuance(b: StepBuilder, state: OrderState): OrderState {
  let next = closeClaim(b, state, "refunded");
  const head = headInvoice(next);
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
    next = replaceInvoice(next, { ...head, status: "cancelled" });
  }
  return {
    ...next,
    status: "FAILED",
    failure: {
      code: REFUNDED_BEFORE_ISSUANCE,
      message: "payment fully refunded before an invoice was issued",
    },
  };
}

/**
 * Before issuance a full refund cancels the pending issuance (FAILED with reason
 * REFUNDED_BEFORE_ISSUANCE) and a partial one waits; after issuance every refund becomes an
 * adjustment invoice. Refunds still pending are adjusted as soon as the invoice is issued,
 * including an invoice the provider issued despite the cancellation.
 *
 * "Full" means the refunds add up to the amount paid; the `full` flag alone never cancels. A refund
 * flagged full whose amount falls short is recorded as the partial refund its amount says (the money
 * is the fact) and surfaced for a human (REFUND_FLAG_MISMATCH).
 */
export function onPaymentRefunded(ctx: DecideContext<"PaymentRefunded">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = event.payload;
  if (!isValidRefund(p)) return b.reject("INVALID_EVENT", "PaymentRefunded payload is malformed", false);
  if (!state?.payment) {
    // Arrived before its payment (different commerce topics): redelivery after the payment works.
    return b.reject("PAYMENT_NOT_SEEN", "refund for an order whose payment was not seen yet", true);
  }
  if (state.refunds.some((r) => r.refundId === p.refundId))
    return b.done(state, "ignored", "refund already recorded");
  const refundedSoFar = state.refunds.reduce((sum, r) => sum + r.amountVnd, 0);
  const paid = state.payment.amountVnd;
  if (refundedSoFar + p.amountVnd > paid) {
    return b.reject("INVALID_REFUND", "refunds would exceed the amount paid", false);
  }
  const full = refundedSoFar + p.amountVnd === paid;
  if (p.full && !full) {
    b.human(
      "REFUND_FLAG_MISMATCH",
      `refund ${p.refundId} is flagged full but brings the refunds to ${refundedSoFar + p.amountVnd} of ${paid} VND paid: recorded as partial`,
    );
  }
  const refund: RefundFact = { refundId: p.refundId, amountVnd: p.amountVnd, full, status: "pending" };
  const next: OrderState = { ...state, refunds: [...state.refunds, refund] };

  if (!hasIssuedInvoice(next)) {
    if (full) return b.done(cancelBeforeIssuance(b, next), "applied", "full refund before issuance");
    return b.done(next, "recorded", "partial refund before issuance: adjusted once the invoice is issued");
  }
  if (activeInvoice(next)?.status !== "issued") {
    return b.done(next, "recorded", "refund waits for the replacement invoice to be issued");
  }
  return b.done(settle(b, next), "applied", "refund after issuance: adjustment");
}
