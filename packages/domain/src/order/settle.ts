import { sameBuyer } from "../buyer.ts";
import { changeIssuedBuyer } from "./buyer-change.ts";
import { abandonOvertakenBuyerCorrections, startCorrection } from "./corrections.ts";
import { isNewer } from "./issuance.ts";
import {
  activeInvoice,
  buyerAdjustmentInFlight,
  type CorrectionReason,
  effectiveBasis,
  effectiveBuyer,
  fullyRefunded,
  issuedStatus,
  type OrderState,
} from "./state.ts";
import type { StepBuilder } from "./step.ts";

/**
 * Work that waited for the order's active invoice to be an issued one with a known number: pending
 * refunds become adjustments (or, under `refundAfterIssuance: "record"`, cases for a human), then a
 * pending buyer change goes through the after-issuance rules (once no buyer adjustment of the
 * invoice is being sent; never for a sale refunded in full). Runs whenever that becomes true: the head
 * invoice was just issued or its number arrived, a replacement of it failed (the predecessor stands
 * again), a correction of it was resolved, or a refund arrived while it stands. The caller guarantees
 * `readyForCorrections(state)`.
 */
export function settle(b: StepBuilder, state: OrderState): OrderState {
  let next: OrderState = { ...state, status: issuedStatus(state) };
  const byHuman = (b.ctx.policy.refundAfterIssuance ?? "adjust") === "record";
  for (const refund of state.refunds) {
    if (refund.status !== "pending") continue;
    if (byHuman) {
      b.human(
        "REFUND_AFTER_ISSUANCE",
        `refund ${refund.refundId} of ${refund.amountVnd} VND on an issued invoice: issue the decrease adjustment (merchant policy leaves it to a human)`,
      );
      next = {
        ...next,
        refunds: next.refunds.map((r) => (r.refundId === refund.refundId ? { ...r, status: "referred" } : r)),
      };
      continue;
    }
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
  // Read after the refunds: an adjustment can hand back the buyer change of a correction it abandoned.
  const { pendingBuyerChange: pending, ...rest } = next;
  if (pending && fullyRefunded(next)) return abandonOvertakenBuyerCorrections(b, rest);
  const active = activeInvoice(next);
  // A buyer adjustment still being sent holds the change back until its own result is known.
  if (!pending || (active && buyerAdjustmentInFlight(next, active))) {
    return abandonOvertakenBuyerCorrections(b, next);
  }
  next = rest;
  const current = effectiveBuyer(next);
  const basis = effectiveBasis(next);
  if (current && !sameBuyer(current, pending.buyer) && (!basis || isNewer(pending, basis))) {
    next = changeIssuedBuyer(b, next, pending).next ?? next;
  }
  // The pending change named the invoiced buyer, or a name/address only: a failed buyer correction
  // it overtook must not come back through a replay.
  return abandonOvertakenBuyerCorrections(b, next);
}
