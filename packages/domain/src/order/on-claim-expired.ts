import { closeClaim, startOriginalIssuance } from "./issuance.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

/**
 * The claim-expiry worker says the deadline passed: issue to the anonymous retail buyer. If the
 * claim was already resolved (submitted, requested, refunded) the expiry lost the race and is a no-op.
 */
export function onClaimExpired(ctx: DecideContext<"ClaimExpired">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  if (!state?.claim || state.claim.token !== event.payload?.claimToken) {
    return b.reject("CLAIM_TOKEN_UNKNOWN", "no claim with this token for the order", false);
  }
  if (state.claim.status !== "open") return b.done(state, "ignored", `claim already ${state.claim.status}`);
  const next = closeClaim(b, state, "expired");
  return b.done(
    startOriginalIssuance(b, next, undefined),
    "applied",
    "claim expired: anonymous retail buyer",
  );
}
