import { normalizeBuyer } from "../buyer.ts";
import type { PaymentSucceededPayload } from "../events.ts";
import { openClaim, startOriginalIssuance, withNewestBuyer } from "./issuance.ts";
import type { OrderState } from "./state.ts";
import { type DecideContext, newOrder, type Step, StepBuilder } from "./step.ts";

function isValidPayment(p: PaymentSucceededPayload | undefined): p is PaymentSucceededPayload {
  return (
    !!p &&
    typeof p.paymentId === "string" &&
    p.paymentId !== "" &&
    Number.isSafeInteger(p.amountVnd) &&
    p.amountVnd >= 0 &&
    Number.isFinite(p.paidAt) &&
    (p.lines === undefined || Array.isArray(p.lines))
  );
}

/**
 * Payment with buyer info (from the payment itself or an earlier request) -> issue to that buyer.
 * Without -> open a claim until paidAt + claim window, or issue to the anonymous retail buyer when
 * the merchant offers no claim window or the window was already over when we got the payment.
 */
export function onPaymentSucceeded(ctx: DecideContext<"PaymentSucceeded">): Step {
  const b = new StepBuilder(ctx);
  const { state, event, now, policy, fresh } = ctx;
  const p = event.payload;
  if (!isValidPayment(p)) return b.reject("INVALID_EVENT", "PaymentSucceeded payload is malformed", false);
  if (state?.payment) {
    if (state.payment.paymentId === p.paymentId) return b.done(state, "ignored", "payment already recorded");
    b.human(
      "SECOND_PAYMENT",
      `payment ${p.paymentId} for an order already paid by ${state.payment.paymentId}`,
    );
    return b.done(state, "recorded");
  }
  let next: OrderState = state ?? newOrder(event, "REQUESTED");
  next = {
    ...next,
    payment: {
      paymentId: p.paymentId,
      amountVnd: p.amountVnd,
      paidAt: p.paidAt,
      ...(p.lines ? { lines: p.lines } : {}),
    },
  };
  if (p.buyer) {
    const buyer = normalizeBuyer(p.buyer);
    if (buyer.ok) {
      next = withNewestBuyer(next, {
        buyer: buyer.buyer,
        occurredAt: event.occurredAt,
        eventId: event.eventId,
        source: "payment",
      });
    } else {
      // The payment is a fact and is kept; its unusable buyer info is surfaced, and the buyer can
      // still give correct details through the claim.
      b.human(
        "INVALID_BUYER_IN_PAYMENT",
        `buyer info on the payment is invalid (${buyer.field}: ${buyer.code})`,
      );
    }
  }
  if (next.buyer) {
    return b.done(
      startOriginalIssuance(b, next, next.buyer),
      "applied",
      `issue to buyer (${next.buyer.source})`,
    );
  }
  if (policy.claimWindowMs <= 0) {
    return b.done(
      startOriginalIssuance(b, next, undefined),
      "applied",
      "no claim window: anonymous retail buyer",
    );
  }
  const deadline = p.paidAt + policy.claimWindowMs;
  if (deadline <= now) {
    return b.done(
      startOriginalIssuance(b, next, undefined),
      "applied",
      "claim window already over: anonymous",
    );
  }
  return b.done(openClaim(b, next, fresh.claimToken, deadline), "applied", "claim opened");
}
