import type { BuyerInfo, EpochMs, InvoiceBuyer, InvoiceRole, OrderLine } from "../events.ts";
import type { LocalDate } from "../local-date.ts";
import { mayExist } from "./attempts.ts";

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
  lines: OrderLine[];
}

export interface ClaimRecord {
  token: string;
  deadline: EpochMs;
  status: "open" | "submitted" | "requested" | "expired" | "refunded";
  /**
   * A ClaimExpired arrived before the deadline (a skewed or hasty expiry worker): the claim stays
   * open and the expiry is applied by the first decision at or after the deadline (a wake-up was
   * asked for it).
   */
  expiryDeferred?: true;
}

export interface RefundFact {
  refundId: string;
  amountVnd: number;
  full: boolean;
  /**
   * - pending: waits for the payment (a refund that arrived first) or for an issued invoice to adjust;
   * - settled: cancelled the issuance or became an adjustment;
   * - referred: left to a human (merchant policy `refundAfterIssuance: "record"`);
   * - excess: arrived before the payment and would take the refunds past the amount paid: not
   *   counted, surfaced for a human (REFUND_EXCEEDS_PAYMENT).
   */
  status: "pending" | "settled" | "referred" | "excess";
}

export type CorrectionReason =
  | { kind: "refund"; refundId: string; amountVnd: number; full: boolean }
  | { kind: "buyer"; buyer: BuyerInfo };

export interface Failure {
  code: string;
  message: string;
}

/**
 * What is known about one provider call of an attempt (see README "The issuer's contract"):
 * - in-flight: the effect was decided, no result yet (the issuer may be calling right now);
 * - unknown: the call ended without an answer (timeout, reset, 5xx): the provider may hold it;
 * - not-sent / rejected / not-found: certainly nothing created by this attempt;
 * - issued / found: the provider holds the invoice.
 */
export type AttemptStatus =
  | "in-flight"
  | "unknown"
  | "not-sent"
  | "rejected"
  | "issued"
  | "found"
  | "not-found";

/** One provider call the machine asked for on an invoice's key: a send or a lookup. */
export interface ProviderAttempt {
  /** 1-based, per invoice. */
  attempt: number;
  /** `<transactionUuid>:<attempt>`: deterministic, so re-deciding an event yields the same id. */
  attemptId: string;
  /** send: create the invoice (after a lookup when `lookupFirst`); lookup: only look the key up. */
  kind: "send" | "lookup";
  lookupFirst: boolean;
  /** Sends: the buyer this attempt carries, and the buyer fact it came from. */
  buyer: InvoiceBuyer;
  basis?: FactRef;
  /** Sends: the invoice date this attempt carries. */
  invoiceDate: LocalDate;
  /** The deciding `now`. */
  startedAt: EpochMs;
  /** The issuer must not start the call after this instant (it reports not-sent instead). */
  startBy: EpochMs;
  /**
   * No other call on this key is decided before this instant. Re-armed (from the deciding clock)
   * by the first decision that finds it over while the attempt is still in-flight/unknown.
   */
  leaseUntil: EpochMs;
  /** When a decision found the first lease over with no conclusive answer. */
  leaseLapsedAt?: EpochMs;
  status: AttemptStatus;
  documentHash?: string;
  error?: Failure;
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
   * - issuing: to be created at the provider (a call in flight, or waiting for a retry);
   * - issued: the provider holds it;
   * - failed: the provider refused it for good, or the issuer's retries ran out (then the provider
   *   may still hold it, see `attempts`); a replay resumes it under the same key;
   * - cancelled: refunded before issuance, the issuer was told not to send it; if a send's outcome
   *   was unknown, a lookup settles whether the provider holds it after all;
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
  /** Every provider call asked for on this invoice's key, oldest first; the last is the current one. */
  attempts: ProviderAttempt[];
  /** Số hóa đơn as the provider numbered it: 1-8 digits, no leading zeros. */
  invoiceNo?: string;
  /** Ký hiệu the provider reported, when it did. */
  series?: string;
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
}

/** Refunds that count against the payment (all but those that exceeded it). */
export function refundedSoFar(state: OrderState): number {
  return state.refunds.reduce((sum, r) => sum + (r.status === "excess" ? 0 : r.amountVnd), 0);
}

/** The whole payment has been refunded: the sale is void and no invoice may stand for it. */
export function fullyRefunded(state: OrderState): boolean {
  return state.payment !== undefined && refundedSoFar(state) >= state.payment.amountVnd;
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
 * A buyer adjustment of `invoice` is being sent, or failed while the provider may still hold it.
 * Buyer adjustments of one invoice go out one at a time, so that the order they are issued in, which
 * decides the buyer that stands, is ours and not the provider's completion order.
 */
export function buyerAdjustmentInFlight(state: OrderState, invoice: InvoiceRecord): boolean {
  return adjustmentsOf(state, invoice.seq).some(
    (i) => i.reason?.kind === "buyer" && (i.status === "issuing" || (i.status === "failed" && mayExist(i))),
  );
}

/**
 * Corrections can be started: the invoice standing for the order is issued and its number known
 * (a correction's document refers to the corrected invoice by number).
 */
export function readyForCorrections(state: OrderState): boolean {
  const active = activeInvoice(state);
  return active?.status === "issued" && active.invoiceNo !== undefined;
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
