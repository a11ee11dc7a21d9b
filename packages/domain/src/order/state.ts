import type { BuyerInfo, EpochMs, InvoiceBuyer, InvoiceRole, OrderLine } from "../events.ts";

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

/** Buyer information with where and when it came from; the newest (by occurredAt) wins. */
export interface BuyerFact {
  buyer: BuyerInfo;
  occurredAt: EpochMs;
  eventId: string;
  source: "payment" | "request" | "claim";
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
  /** When the buyer info this invoice was made out from occurred (absent for anonymous). */
  buyerOccurredAt?: EpochMs;
  status: "issuing" | "issued" | "failed" | "cancelled";
  invoiceNo?: string;
  /** For corrections: the invoice adjusted or replaced. */
  relatesToSeq?: number;
  reason?: CorrectionReason;
  /** Set on an invoice that a replacement has taken over. */
  supersededBySeq?: number;
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
  /** A buyer change that arrived while the active invoice was still being issued. */
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
  const heads = state.invoices.filter((i) => i.role !== "adjustment" && i.supersededBySeq === undefined);
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

/**
 * The buyer the order's invoicing currently names: the head invoice's buyer, as changed by any later
 * buyer adjustment that has not failed.
 */
export function effectiveBuyer(state: OrderState): InvoiceBuyer | undefined {
  const head = headInvoice(state);
  if (!head) return undefined;
  let buyer = head.buyer;
  for (const i of state.invoices) {
    if (
      i.role === "adjustment" &&
      i.relatesToSeq === head.seq &&
      i.reason?.kind === "buyer" &&
      i.status !== "failed"
    ) {
      buyer = i.reason.buyer;
    }
  }
  return buyer;
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
