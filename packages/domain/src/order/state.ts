import type { BuyerInfo, EpochMs, InvoiceBuyer, InvoiceRole, OrderLine } from "../events.ts";
import type { LocalDate } from "../local-date.ts";

/**
 * DESIGN.md section 4: REQUESTED (buyer info known, not paid), AWAITING_CLAIM (paid, claim open until
 * its deadline), ISSUING, ISSUED, FAILED, and after issuance ADJUSTED / REPLACED.
 */
export const ORDER_STATUSES = [
  "REQUESTED",
  "AWAITING_CLAIM",
  "ISSUING",
  "ISSUED",
  "FAILED",
  "ADJUSTED",
  "REPLACED",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** When and from which event a piece of buyer information came; ordered by (occurredAt, eventId). */
export interface FactRef {
  occurredAt: EpochMs;
  eventId: string;
  source: "payment" | "request" | "claim";
}

/** Buyer information with where and when it came from; the newest (by occurredAt) wins. */
export interface BuyerFact extends FactRef {
  buyer: BuyerInfo;
}

export interface PaymentFact {
  paymentId: string;
  amountVnd: number;
  paidAt: EpochMs;
  lines?: OrderLine[];
}

export interface ClaimRecord {
  token: string;
  deadline: EpochMs;
  status: "open" | "submitted" | "requested" | "expired" | "refunded";
}

export interface RefundFact {
  refundId: string;
  amountVnd: number;
  full: boolean;
  /** pending: waits for an issued invoice to adjust; settled: cancelled the issuance or adjusted. */
  status: "pending" | "settled";
}

export type CorrectionReason =
  | { kind: "refund"; refundId: string; amountVnd: number; full: boolean }
  | { kind: "buyer"; buyer: BuyerInfo };

export interface Failure {
  code: string;
  message: string;
}

/**
 * One invoice of the order: the original, or a later adjustment / replacement. `seq` 1 is the
 * original; its provider idempotency key is derived from (merchantId, orderId, seq).
 */
export interface InvoiceRecord {
  seq: number;
  role: InvoiceRole;
  transactionUuid: string;
  buyer: InvoiceBuyer;
  /** The buyer fact this invoice was made out from (absent for anonymous). */
  basis?: FactRef;
  /**
   * - issuing: a send was started and its result is not known yet;
   * - failed: the provider said it failed (a replay resends it under the same key);
   * - cancelled: refunded before issuance, the issuer was told not to send it;
   * - abandoned: a failed correction another correction of the same invoice took over from. It is
   *   never resumed; if the provider issues it anyway, that is a case for a human.
   */
  status: "issuing" | "issued" | "failed" | "cancelled" | "abandoned";
  /** Ngày lập (XML `NLap`) of this invoice, a Vietnam date: the symbol year must match it. */
  invoiceDate: LocalDate;
  /**
   * The date whose VAT rates apply: the sale's tax point (Vietnam date of the payment), the same for
   * the original and every correction of it.
   */
  taxPointDate: LocalDate;
  /** When the machine last emitted a send of this invoice (the deciding `now`). */
  sendStartedAt?: EpochMs;
  invoiceNo?: string;
  /** For corrections: the invoice adjusted or replaced. */
  relatesToSeq?: number;
  reason?: CorrectionReason;
  /** Set on an invoice that a replacement has taken over. */
  supersededBySeq?: number;
  /** Set on an abandoned correction: the correction that took over from it. */
  abandonedForSeq?: number;
  failure?: Failure;
}

export interface OrderState {
  orderId: string;
  merchantId: string;
  status: OrderStatus;
  /** The newest buyer info seen, from payment, request or claim. */
  buyer?: BuyerFact;
  payment?: PaymentFact;
  claim?: ClaimRecord;
  invoices: InvoiceRecord[];
  refunds: RefundFact[];
  /**
   * A buyer change that waits for the head invoice's send to be resolved: applied as a retarget if
   * the send fails, through the after-issuance rules once it is issued.
   */
  pendingBuyerChange?: BuyerFact;
  /** Why the order is FAILED. */
  failure?: Failure;
  /** Most recent applied eventIds, oldest first, at most {@link MAX_APPLIED_EVENT_IDS}. */
  appliedEventIds: string[];
}

/**
 * An order sees a handful of events; 256 remembered ids cover every realistic redelivery. Past that
 * the oldest are forgotten, and the handlers' own idempotency (same paymentId, refundId, claim token,
 * transactionUuid) still makes a very late duplicate harmless.
 */
export const MAX_APPLIED_EVENT_IDS = 256;

export function rememberEventId(ids: readonly string[], eventId: string): string[] {
  const next = [...ids, eventId];
  return next.length > MAX_APPLIED_EVENT_IDS ? next.slice(next.length - MAX_APPLIED_EVENT_IDS) : next;
}

/** Original or replacement, issuing or issued, not taken over by a replacement. */
export function isActive(invoice: InvoiceRecord): boolean {
  return (
    invoice.role !== "adjustment" &&
    (invoice.status === "issuing" || invoice.status === "issued") &&
    invoice.supersededBySeq === undefined
  );
}

/** The invoice that currently stands for the order, if any. At most one exists (tested). */
export function activeInvoice(state: OrderState): InvoiceRecord | undefined {
  return state.invoices.find(isActive);
}

/**
 * What the order's invoicing hinges on: the active invoice, else (nothing issuing or issued) the
 * latest original/replacement not taken over. A failed replacement never hides the invoice it
 * failed to replace.
 */
export function headInvoice(state: OrderState): InvoiceRecord | undefined {
  const active = activeInvoice(state);
  if (active) return active;
  const heads = state.invoices.filter(
    (i) => i.role !== "adjustment" && i.supersededBySeq === undefined && i.status !== "abandoned",
  );
  return heads[heads.length - 1];
}

export function invoiceBySeq(state: OrderState, seq: number): InvoiceRecord | undefined {
  return state.invoices.find((i) => i.seq === seq);
}

export function replaceInvoice(state: OrderState, updated: InvoiceRecord): OrderState {
  return { ...state, invoices: state.invoices.map((i) => (i.seq === updated.seq ? updated : i)) };
}

/** True once any original or replacement invoice has been issued for the order. */
export function hasIssuedInvoice(state: OrderState): boolean {
  return state.invoices.some((i) => i.role !== "adjustment" && i.status === "issued");
}

/** Adjustments of invoice `seq` that still stand or may still be resumed (not abandoned). */
export function adjustmentsOf(state: OrderState, seq: number): InvoiceRecord[] {
  return state.invoices.filter(
    (i) => i.role === "adjustment" && i.relatesToSeq === seq && i.status !== "abandoned",
  );
}

/**
 * A buyer adjustment of `invoice` is being sent. Buyer adjustments of one invoice go out one at a
 * time, so that the order they are issued in, which decides the buyer that stands, is ours and not
 * the provider's completion order.
 */
export function buyerAdjustmentInFlight(state: OrderState, invoice: InvoiceRecord): boolean {
  return adjustmentsOf(state, invoice.seq).some((i) => i.reason?.kind === "buyer" && i.status === "issuing");
}

/** Buyer adjustments of the head invoice that have not failed or been abandoned, oldest first. */
function standingBuyerAdjustments(state: OrderState, head: InvoiceRecord): InvoiceRecord[] {
  return adjustmentsOf(state, head.seq).filter((i) => i.reason?.kind === "buyer" && i.status !== "failed");
}

/**
 * The buyer the order's invoicing currently names: the head invoice's buyer, as changed by any later
 * buyer adjustment that has not failed.
 */
export function effectiveBuyer(state: OrderState): InvoiceBuyer | undefined {
  const head = headInvoice(state);
  if (!head) return undefined;
  const last = standingBuyerAdjustments(state, head).at(-1);
  return last?.reason?.kind === "buyer" ? last.reason.buyer : head.buyer;
}

/** The buyer fact behind {@link effectiveBuyer} (undefined for the anonymous buyer). */
export function effectiveBasis(state: OrderState): FactRef | undefined {
  const head = headInvoice(state);
  if (!head) return undefined;
  return standingBuyerAdjustments(state, head).at(-1)?.basis ?? head.basis;
}

/** Status after issuance: the role of the latest correction still standing, else ISSUED. */
export function issuedStatus(state: OrderState): OrderStatus {
  const corrections = state.invoices.filter(
    (i) => i.role !== "original" && (i.status === "issuing" || i.status === "issued"),
  );
  const last = corrections[corrections.length - 1];
  if (!last) return "ISSUED";
  return last.role === "replacement" ? "REPLACED" : "ADJUSTED";
}
