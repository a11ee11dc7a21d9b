import { normalizeBuyer, sameBuyer } from "../buyer.ts";
import type { PaymentSucceededPayload } from "../events.ts";
import { isValidInstant, vietnamDateOf } from "../local-date.ts";
import { computeInvoiceTotals } from "../vat/totals.ts";
import { isNewer, openClaim, startOriginalIssuance, withNewestBuyer } from "./issuance.ts";
import { applyRefunds } from "./on-refund.ts";
import { sameData } from "./payload-checks.ts";
import { type BuyerFact, type OrderState, type RefundFact, refundedSoFar } from "./state.ts";
import { type DecideContext, newOrder, type Step, StepBuilder } from "./step.ts";

function isWellFormed(p: PaymentSucceededPayload | undefined): p is PaymentSucceededPayload {
  return (
    !!p &&
    typeof p.paymentId === "string" &&
    p.paymentId !== "" &&
    Number.isSafeInteger(p.amountVnd) &&
    isValidInstant(p.paidAt) &&
    Array.isArray(p.lines)
  );
}

/**
 * Why the payment cannot be invoiced, or undefined: the amount must be positive and the lines must
 * add up to it exactly under the rounding rule (README "VAT and totals"), at the VAT rates of the
 * sale's date. The document builder refuses a document whose total differs from what was paid, so a
 * payment that cannot be invoiced is refused here, with the reason, instead of failing at the
 * provider.
 */
function paymentProblem(p: PaymentSucceededPayload): string | undefined {
  if (p.amountVnd <= 0) return `amount ${p.amountVnd} VND: a payment must be positive`;
  const totals = computeInvoiceTotals(p.lines, vietnamDateOf(p.paidAt));
  if (!totals.ok) return `lines: ${totals.code}: ${totals.message}`;
  if (totals.totalPayableVnd !== p.amountVnd) {
    return `lines add up to ${totals.totalPayableVnd} VND with VAT, the payment is ${p.amountVnd} VND`;
  }
  return undefined;
}

/**
 * Refunds recorded before the payment, checked against it now in arrival order: one that would take
 * the refunds past the amount paid is set aside for a human; the `full` flag follows the amounts.
 */
function checkEarlyRefunds(b: StepBuilder, refunds: readonly RefundFact[], paid: number): RefundFact[] {
  let total = 0;
  return refunds.map((r) => {
    if (total + r.amountVnd > paid) {
      b.human(
        "REFUND_EXCEEDS_PAYMENT",
        `refund ${r.refundId} of ${r.amountVnd} VND arrived before the payment and takes the refunds past the ${paid} VND paid: not applied`,
      );
      return { ...r, status: "excess" as const };
    }
    total += r.amountVnd;
    const full = total === paid;
    if (r.full && !full) {
      b.human(
        "REFUND_FLAG_MISMATCH",
        `refund ${r.refundId} is flagged full but brings the refunds to ${total} of ${paid} VND paid: recorded as partial`,
      );
    }
    return { ...r, full };
  });
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
  if (!isWellFormed(p)) return b.reject("INVALID_EVENT", "PaymentSucceeded payload is malformed");
  const problem = paymentProblem(p);
  if (problem) return b.reject("INVALID_PAYMENT", problem);
  if (state?.payment) {
    if (state.payment.paymentId === p.paymentId) {
      const recorded = state.payment;
      if (
        recorded.amountVnd === p.amountVnd &&
        recorded.paidAt === p.paidAt &&
        sameData(recorded.lines, p.lines)
      ) {
        return b.done(state, "ignored", "payment already recorded");
      }
      // A correction of the sale upstream, or a bug: the invoice follows the payment recorded first.
      b.human(
        "CONFLICTING_DUPLICATE",
        `payment ${p.paymentId} arrived again with other data (${p.amountVnd} VND, paid ${p.paidAt}) than recorded (${recorded.amountVnd} VND, paid ${recorded.paidAt}): not applied`,
      );
      return b.done(state, "recorded", "payment id repeated with other data");
    }
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
      lines: p.lines,
    },
  };
  if (next.refunds.length > 0) {
    // Refunds that came first: a sale refunded in full is never invoiced at all.
    next = { ...next, refunds: checkEarlyRefunds(b, next.refunds, p.amountVnd) };
    if (refundedSoFar(next) === p.amountVnd) return applyRefunds(b, next);
  }
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
