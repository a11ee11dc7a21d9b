import { sameBuyer, sameTaxIdentity } from "../buyer.ts";
import { settledAbsent } from "./attempts.ts";
import { abandonOvertakenBuyerCorrections, startCorrection } from "./corrections.ts";
import { isNewer, refOf } from "./issuance.ts";
import { MachineInvariantError } from "./machine-error.ts";
import {
  activeInvoice,
  adjustmentsOf,
  type BuyerFact,
  buyerAdjustmentInFlight,
  type CorrectionReason,
  effectiveBasis,
  effectiveBuyer,
  fullyRefunded,
  headInvoice,
  type InvoiceRecord,
  type OrderState,
  replaceInvoice,
} from "./state.ts";
import type { Step, StepBuilder } from "./step.ts";

/**
 * The buyer asked (claim or request) before the claim deadline, but the expiry was processed first
 * and the original went out to someone else: the anonymous buyer, or another in-time request that
 * the failed anonymous invoice had been retargeted to before this newer one arrived. Our race, not
 * the buyer's lateness: always surfaced, in every arrival order.
 */
function lostClaimRace(state: OrderState, fact: BuyerFact): boolean {
  const claim = state.claim;
  const head = headInvoice(state);
  return (
    claim?.status === "expired" &&
    fact.source !== "payment" &&
    fact.occurredAt < claim.deadline &&
    head?.role === "original"
  );
}

/**
 * A buyer change against an issued invoice: Decree 70 rules, then merchant policy.
 *
 * Once the invoice has an adjustment, a buyer change is an adjustment too, even under the `replace`
 * policy: a follow-up correction uses the same method as the first one (Official Dispatch
 * 1647/TCT-CS), and replacing an adjusted invoice would leave its adjustment referring to an invoice
 * that no longer stands.
 */
export function changeIssuedBuyer(b: StepBuilder, state: OrderState, fact: BuyerFact): Step {
  const lost = lostClaimRace(state, fact);
  const current = effectiveBuyer(state);
  if (!lost && current && sameTaxIdentity(current, fact.buyer)) {
    b.human(
      "BUYER_NAME_ADDRESS_CHANGE",
      "buyer name/address changed with the same tax code: notify the buyer and the tax authority (Form 04/SS-HĐĐT), no new invoice",
    );
    return b.done(state, "recorded");
  }
  if (lost) {
    b.human(
      "CLAIM_LOST_RACE",
      `the buyer claimed before the claim deadline (${new Date(fact.occurredAt).toISOString()}) but the anonymous invoice was issued first: correct it for the claiming buyer`,
    );
  }
  const policy = b.ctx.policy.buyerChangeAfterIssuance;
  if (policy !== "adjust" && policy !== "replace") {
    if (!lost) {
      b.human(
        "LATE_BUYER_CHANGE",
        `buyer details (${fact.source}) arrived after the invoice was issued: an adjustment or replacement with the buyer's agreement is needed`,
        fact.eventId,
      );
    }
    return b.done(state, "recorded");
  }
  const reason: CorrectionReason = { kind: "buyer", buyer: fact.buyer };
  const target = activeInvoice(state);
  const adjusted = target !== undefined && adjustmentsOf(state, target.seq).length > 0;
  if (policy === "replace" && !adjusted) {
    return b.done(startCorrection(b, state, "replacement", reason, fact), "applied", "replacement");
  }
  const note =
    policy === "replace"
      ? "buyer adjustment: the invoice already has an adjustment, so the follow-up uses the same method"
      : "buyer adjustment";
  return b.done(startCorrection(b, state, "adjustment", reason, fact), "applied", note);
}

/** The change waits for a send's result; of two waiting changes the newer one is kept. */
function hold(b: StepBuilder, state: OrderState, fact: BuyerFact, note: string): Step {
  const pending = state.pendingBuyerChange;
  const keep = pending && !isNewer(fact, pending) ? pending : fact;
  return b.done({ ...state, pendingBuyerChange: keep }, "recorded", note);
}

function applyToHead(b: StepBuilder, state: OrderState, head: InvoiceRecord, fact: BuyerFact): Step {
  const pending = state.pendingBuyerChange;
  const current = effectiveBuyer(state) ?? head.buyer;
  if (sameBuyer(current, fact.buyer)) {
    if (pending && isNewer(fact, pending)) {
      // The newest info is what is being invoiced after all: the older pending change is moot.
      const { pendingBuyerChange: _dropped, ...rest } = state;
      return b.done(rest, "applied", "newest buyer info matches the invoice: pending change dropped");
    }
    return b.done(state, "ignored", "already invoiced to this buyer");
  }
  switch (head.status) {
    case "failed": {
      if (!settledAbsent(head)) {
        // Retries ran out with the outcome unknown: a replay's lookup decides first.
        return hold(b, state, fact, "buyer change waits: the provider may hold the failed invoice");
      }
      // Nothing was issued under this key; the replay sends the new buyer under the same key.
      const { pendingBuyerChange: _dropped, ...rest } = state;
      const next = replaceInvoice(rest, { ...head, buyer: fact.buyer, basis: refOf(fact) });
      return b.done(next, "applied", "failed invoice retargeted to the new buyer; a replay re-sends it");
    }
    case "issuing":
      return hold(b, state, fact, "buyer change waits for the issuance result");
    case "issued":
      if (head.invoiceNo === undefined) {
        return hold(b, state, fact, "buyer change waits for the invoice number");
      }
      if (buyerAdjustmentInFlight(state, head)) {
        return hold(b, state, fact, "buyer change waits for the buyer adjustment being issued");
      }
      return changeIssuedBuyer(b, state, fact);
    default:
      return b.done(state, "ignored", `head invoice is ${head.status}`);
  }
}

/**
 * Buyer info that arrives once issuance has started. Never a silent re-issue: info not newer than
 * what was invoiced is ignored, a failed issuance is retargeted, an in-flight one (or an issued one
 * with a buyer adjustment in flight) waits (pending change, resolved by the send's result), an issued
 * one goes to {@link changeIssuedBuyer}. Failed buyer corrections the new info contradicts are
 * abandoned, so no replay or refund brings stale buyer details back.
 */
export function buyerAfterIssuanceStarted(b: StepBuilder, state: OrderState, fact: BuyerFact): Step {
  if (fullyRefunded(state)) {
    // The sale is void: whether its invoice turns out issued or not, no correction of the buyer is
    // made or raised, in whichever order the request and the refund arrived.
    const { pendingBuyerChange: _dropped, ...rest } = state;
    return b.done(rest, "recorded", "sale refunded in full: buyer info recorded, not applied");
  }
  const head = headInvoice(state);
  if (!head) throw new MachineInvariantError("issuance started without an invoice");
  const basis = effectiveBasis(state);
  if (basis && !isNewer(fact, basis)) {
    return b.done(state, "ignored", "not newer than the buyer info already invoiced");
  }
  const step = applyToHead(b, state, head, fact);
  const next = step.next && abandonOvertakenBuyerCorrections(b, step.next);
  if (next === step.next) return step;
  const note = "failed buyer corrections overtaken by this info abandoned";
  return b.done(
    next,
    step.outcome === "ignored" ? "applied" : step.outcome,
    step.note ? `${step.note}; ${note}` : note,
  );
}
