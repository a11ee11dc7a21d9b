import { normalizeBuyer, sameBuyer } from "../buyer.ts";
import type { PaymentSucceededPayload } from "../events.ts";
import { isValidInstant } from "../local-date.ts";
import { isNewer, openClaim, startOriginalIssuance, withNewestBuyer } from "./issuance.ts";
import type { BuyerFact, OrderState } from "./state.ts";
import { type DecideContext, newOrder, type Step, StepBuilder } from "./step.ts";

function isValidPayment(p: PaymentSucceededPayload | undefined): p is PaymentSucceededPayload {
  return (
    !!p &&
    typeof p.paymentId === "string" &&
    p.paymentId !== "" &&
    Number.isSafeInteger(p.amountVnd) &&
    p.amountVnd >= 0 &&
    isValidInstant(p.paidAt) &&
    (p.lines === undefined || Array.isArray(p.lines))
  );
}

/**
 * The original invoice names the buyer known for the sale, and the payment is the sale:
 * - the payment carries a buyer: that buyer. Buyer info older than the payment (an earlier request)
 *   loses to it; info newer than the payment is a change after the sale and waits as the pending
 *   buyer change, resolved when the send's result is known (retarget if it fails, after-issuance
 *   rules once issued). A newer request that arrives after the payment takes exactly the same path,
 *   so the outcome does not depend on which of the two arrives first.
 * - no buyer on the payment but a claim window that is still open: the newest buyer info seen (the
 *   claim window exists for info given after the sale, so it is honoured as if it arrived now);
 * - no buyer and no open window (window 0, or over when we get the payment): buyer info not newer
 *   than the payment is invoiced; newer info is a change after the anonymous sale, as above;
 * - nothing known: open a claim until paidAt + claim window, or issue to the anonymous retail buyer.
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
  const stored = next.buyer;
  let fromPayment: BuyerFact | undefined;
  if (p.buyer) {
    const buyer = normalizeBuyer(p.buyer);
    if (buyer.ok) {
      fromPayment = {
        buyer: buyer.buyer,
        occurredAt: event.occurredAt,
        eventId: event.eventId,
        source: "payment",
      };
      next = withNewestBuyer(next, fromPayment);
    } else {
      // The payment is a fact and is kept; its unusable buyer info is surfaced, and the buyer can
      // still give correct details through the claim.
      b.human(
        "INVALID_BUYER_IN_PAYMENT",
        `buyer info on the payment is invalid (${buyer.field}: ${buyer.code})`,
      );
    }
  }
  const sale = { occurredAt: event.occurredAt, eventId: event.eventId };
  const afterSale = stored && isNewer(stored, sale) ? stored : undefined;
  if (fromPayment) {
    return issue(b, next, fromPayment, afterSale, `issue to buyer (${fromPayment.source})`);
  }
  const deadline = p.paidAt + policy.claimWindowMs;
  const windowOpen = policy.claimWindowMs > 0 && deadline > now;
  if (stored && (windowOpen || !afterSale)) {
    return issue(b, next, stored, undefined, `issue to buyer (${stored.source})`);
  }
  if (afterSale) {
    return issue(b, next, undefined, afterSale, "no open claim window: anonymous");
  }
  if (policy.claimWindowMs <= 0) {
    return issue(b, next, undefined, undefined, "no claim window: anonymous retail buyer");
  }
  if (!windowOpen) return issue(b, next, undefined, undefined, "claim window already over: anonymous");
  return b.done(openClaim(b, next, fresh.claimToken, deadline), "applied", "claim opened");
}

function issue(
  b: StepBuilder,
  state: OrderState,
  fact: BuyerFact | undefined,
  later: BuyerFact | undefined,
  note: string,
): Step {
  let next = startOriginalIssuance(b, state, fact);
  if (later && !sameBuyer(later.buyer, fact?.buyer ?? { kind: "anonymous" })) {
    next = { ...next, pendingBuyerChange: later };
  }
  return b.done(next, "applied", later ? `${note}; newer buyer info waits as a change` : note);
}
