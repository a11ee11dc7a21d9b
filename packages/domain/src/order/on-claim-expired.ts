import { closeClaim, startOriginalIssuance } from "./issuance.ts";
import { wakeUp } from "./sends.ts";
import type { OrderState } from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

/** The claim is over: close it and issue to the anonymous retail buyer. */
export function applyExpiry(b: StepBuilder, state: OrderState): OrderState {
  return startOriginalIssuance(b, closeClaim(b, state, "expired"), undefined);
}

/**
 * The claim-expiry worker says the deadline passed: issue to the anonymous retail buyer. If the
 * claim was already resolved (submitted, requested, refunded) the expiry lost the race and is a no-op.
 * An expiry that arrives before the deadline (by the deciding clock) is deferred to it, never applied
 * early: a buyer claiming in time must not lose to it.
 */
export function onClaimExpired(ctx: DecideContext<"ClaimExpired">): Step {
  const b = new StepBuilder(ctx);
  const { state, event, now } = ctx;
  if (!state?.claim || state.claim.token !== event.payload?.claimToken) {
    return b.reject("CLAIM_TOKEN_UNKNOWN", "no claim with this token for the order");
  }
  const claim = state.claim;
  if (claim.status !== "open") return b.done(state, "ignored", `claim already ${claim.status}`);
  if (now < claim.deadline) {
    if (claim.expiryDeferred) return b.done(state, "ignored", "expiry already deferred to the deadline");
    wakeUp(b, undefined, claim.deadline, "claim-deadline", false);
    return b.done(
      { ...state, claim: { ...claim, expiryDeferred: true } },
      "recorded",
      `expiry before the deadline (${new Date(claim.deadline).toISOString()}): deferred to it`,
    );
  }
  return b.done(applyExpiry(b, state), "applied", "claim expired: anonymous retail buyer");
}
