import { sameBuyer, sameTaxIdentity } from "../buyer.ts";
import { isNewer } from "./issuance.ts";
import {
  activeInvoice,
  type BuyerFact,
  type CorrectionReason,
  effectiveBuyer,
  headInvoice,
  type InvoiceRecord,
  issuedStatus,
  type OrderState,
  replaceInvoice,
} from "./state.ts";
import type { Step, StepBuilder } from "./step.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

export const REFUNDED_BEFORE_ISSUANCE = "REFUNDED_BEFORE_ISSUANCE";

/**
 * Starts an adjustment or replacement of the active, issued invoice. A replacement takes over from
 * the invoice it replaces at once, so there is never more than one active invoice.
 */
export function startCorrection(
  b: StepBuilder,
  state: OrderState,
  role: "adjustment" | "replacement",
  reason: CorrectionReason,
  buyerOccurredAt?: number,
): OrderState {
  const target = activeInvoice(state);
  if (target?.status !== "issued") throw new Error("a correction needs an issued invoice");
  const seq = Math.max(...state.invoices.map((i) => i.seq)) + 1;
  const transactionUuid = invoiceTransactionUuid(state.merchantId, state.orderId, seq);
  const buyer = role === "replacement" && reason.kind === "buyer" ? reason.buyer : target.buyer;
  const record: InvoiceRecord = {
    seq,
    role,
    transactionUuid,
    buyer,
    status: "issuing",
    relatesToSeq: target.seq,
    reason,
  };
  if (buyerOccurredAt !== undefined) record.buyerOccurredAt = buyerOccurredAt;
  else if (target.buyerOccurredAt !== undefined) record.buyerOccurredAt = target.buyerOccurredAt;
  const ref = {
    invoiceSeq: target.seq,
    transactionUuid: target.transactionUuid,
    ...(target.invoiceNo !== undefined ? { invoiceNo: target.invoiceNo } : {}),
  };
  let next = state;
  if (role === "replacement") {
    next = replaceInvoice(next, { ...target, supersededBySeq: seq });
    b.push({ type: "IssueReplacement", invoiceSeq: seq, transactionUuid, replaces: ref, buyer, reason });
  } else {
    b.push({ type: "IssueAdjustment", invoiceSeq: seq, transactionUuid, adjusts: ref, reason });
  }
  b.publish("CorrectionStarted", {
    invoiceSeq: seq,
    role,
    relatesToSeq: target.seq,
    transactionUuid,
    reason: reason.kind,
  });
  next = { ...next, invoices: [...next.invoices, record] };
  return { ...next, status: issuedStatus(next) };
}

/** A buyer change against an issued invoice: Decree 70 rules, then merchant policy. */
function changeIssuedBuyer(b: StepBuilder, state: OrderState, fact: BuyerFact): Step {
  const current = effectiveBuyer(state);
  if (current && sameTaxIdentity(current, fact.buyer)) {
    b.human(
      "BUYER_NAME_ADDRESS_CHANGE",
      "buyer name/address changed with the same tax code: notify the buyer and the tax authority (Form 04/SS-HĐĐT), no new invoice",
    );
    return b.done(state, "recorded");
  }
  const reason: CorrectionReason = { kind: "buyer", buyer: fact.buyer };
  switch (b.ctx.policy.buyerChangeAfterIssuance) {
    case "adjust":
      return b.done(
        startCorrection(b, state, "adjustment", reason, fact.occurredAt),
        "applied",
        "buyer adjustment",
      );
    case "replace":
      return b.done(
        startCorrection(b, state, "replacement", reason, fact.occurredAt),
        "applied",
        "replacement",
      );
    default:
      b.human(
        "LATE_BUYER_CHANGE",
        `buyer details (${fact.source}) arrived after the invoice was issued: an adjustment or replacement with the buyer's agreement is needed`,
      );
      return b.done(state, "recorded");
  }
}

/**
 * Buyer info that arrives once issuance has started. Never a silent re-issue: older info is
 * ignored, a failed issuance is retargeted, an in-flight one waits, an issued one goes to
 * {@link changeIssuedBuyer}.
 */
export function buyerAfterIssuanceStarted(b: StepBuilder, state: OrderState, fact: BuyerFact): Step {
  if (state.failure?.code === REFUNDED_BEFORE_ISSUANCE) {
    return b.done(state, "ignored", "order was refunded before issuance");
  }
  const head = headInvoice(state);
  if (!head) throw new Error("issuance started without an invoice");
  const basis = head.buyerOccurredAt;
  if (basis !== undefined && fact.occurredAt < basis) {
    return b.done(state, "ignored", "older than the buyer info already invoiced");
  }
  const current = effectiveBuyer(state) ?? head.buyer;
  if (sameBuyer(current, fact.buyer)) return b.done(state, "ignored", "already invoiced to this buyer");
  switch (head.status) {
    case "failed": {
      // Nothing was issued under this key as far as we know; the replay looks the key up first.
      const next = replaceInvoice(state, { ...head, buyer: fact.buyer, buyerOccurredAt: fact.occurredAt });
      return b.done(next, "applied", "failed invoice retargeted to the new buyer; a replay re-sends it");
    }
    case "issuing": {
      const pending = state.pendingBuyerChange;
      const keep = pending && !isNewer(fact, pending) ? pending : fact;
      return b.done(
        { ...state, pendingBuyerChange: keep },
        "recorded",
        "buyer change waits for the issuance result",
      );
    }
    case "issued":
      return changeIssuedBuyer(b, state, fact);
    default:
      return b.done(state, "ignored", `head invoice is ${head.status}`);
  }
}

/**
 * Work that waited for the head invoice to be issued: refunds become adjustments, a buyer change
 * goes through the normal after-issuance rules.
 */
export function settleAfterIssued(b: StepBuilder, state: OrderState): OrderState {
  let next: OrderState = { ...state, status: issuedStatus(state) };
  for (const refund of next.refunds) {
    if (refund.status !== "pending") continue;
    const reason: CorrectionReason = {
      kind: "refund",
      refundId: refund.refundId,
      amountVnd: refund.amountVnd,
      full: refund.full,
    };
    next = startCorrection(b, next, "adjustment", reason);
    next = {
      ...next,
      refunds: next.refunds.map((r) => (r.refundId === refund.refundId ? { ...r, status: "settled" } : r)),
    };
  }
  const { pendingBuyerChange: pending, ...rest } = next;
  if (pending) {
    next = rest;
    const current = effectiveBuyer(next);
    if (current && !sameBuyer(current, pending.buyer))
      next = changeIssuedBuyer(b, next, pending).next ?? next;
  }
  return next;
}
