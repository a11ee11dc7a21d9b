import { normalizeBuyer } from "../buyer.ts";
import type { BuyerInfo, IssuanceEventOf } from "../events.ts";
import { buyerAfterIssuanceStarted } from "./buyer-change.ts";
import { closeClaim, isNewer, startOriginalIssuance, withNewestBuyer } from "./issuance.ts";
import type { BuyerFact, OrderState } from "./state.ts";
import { type DecideContext, newOrder, type Step, StepBuilder } from "./step.ts";

function fact(event: IssuanceEventOf<"InvoiceRequested" | "ClaimSubmitted">, buyer: BuyerInfo): BuyerFact {
  return {
    buyer,
    occurredAt: event.occurredAt,
    eventId: event.eventId,
    source: event.type === "ClaimSubmitted" ? "claim" : "request",
  };
}

function applyBuyer(b: StepBuilder, state: OrderState, buyer: BuyerFact): Step {
  switch (state.status) {
    case "REQUESTED": {
      const next = withNewestBuyer(state, buyer);
      return b.done(
        next,
        "applied",
        next === state ? "newer buyer info already known" : "buyer info recorded",
      );
    }
    case "AWAITING_CLAIM": {
      // Nothing is issued yet, so the buyer is honoured whenever the request arrives before expiry
      // was processed. The claims API refuses submissions after the deadline.
      let next = withNewestBuyer(state, buyer);
      next = closeClaim(b, next, buyer.source === "claim" ? "submitted" : "requested");
      return b.done(startOriginalIssuance(b, next, buyer), "applied", `issue to buyer (${buyer.source})`);
    }
    default:
      // Compared with the newest info seen, not only with what was invoiced: newer info that needed no
      // change (it names the invoiced buyer) still makes older info arriving later stale.
      if (state.buyer && !isNewer(buyer, state.buyer)) {
        return b.done(state, "ignored", "not newer than the newest buyer info already seen");
      }
      return buyerAfterIssuanceStarted(b, withNewestBuyer(state, buyer), buyer);
  }
}

/** Buyer tax info given at checkout, before or after the payment. */
export function onInvoiceRequested(ctx: DecideContext<"InvoiceRequested">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const result = normalizeBuyer(event.payload?.buyer);
  if (!result.ok) return b.reject("INVALID_BUYER", `${result.field}: ${result.code}`);
  const buyer = fact(event, result.buyer);
  if (!state) return b.done({ ...newOrder(event, "REQUESTED"), buyer }, "applied", "buyer info recorded");
  return applyBuyer(b, state, buyer);
}

/** Buyer info submitted on the claim page with the order's claim token. */
export function onClaimSubmitted(ctx: DecideContext<"ClaimSubmitted">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  if (!state?.claim || state.claim.token !== event.payload?.claimToken) {
    return b.reject("CLAIM_TOKEN_UNKNOWN", "no claim with this token for the order");
  }
  const result = normalizeBuyer(event.payload.buyer);
  if (!result.ok) return b.reject("INVALID_BUYER", `${result.field}: ${result.code}`);
  return applyBuyer(b, state, fact(event, result.buyer));
}
