import type { InvoiceBuyer } from "../events.ts";
import { laterDate, vietnamDateOf } from "../local-date.ts";
import type { Effect } from "./effects.ts";
import { MachineInvariantError } from "./machine-error.ts";
import { beginCall } from "./sends.ts";
import type { BuyerFact, ClaimRecord, FactRef, InvoiceRecord, OrderState } from "./state.ts";
import type { StepBuilder } from "./step.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

const ORIGINAL_SEQ = 1;

type Ordered = { occurredAt: number; eventId: string };

/** a is newer than b: later occurredAt, ties broken by eventId so the choice is order-independent. */
export function isNewer(a: Ordered, b: Ordered) {
  return a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.eventId > b.eventId);
}

export function withNewestBuyer(state: OrderState, fact: BuyerFact): OrderState {
  if (state.buyer && !isNewer(fact, state.buyer)) return state;
  return { ...state, buyer: fact };
}

export function refOf(fact: BuyerFact): FactRef {
  return { occurredAt: fact.occurredAt, eventId: fact.eventId, source: fact.source };
}

/**
 * Creates the order's original invoice and its first IssueInvoice (attempt 1). Its ngày lập is the
 * day it is made: the Vietnam date of the deciding clock (never before the sale), because SInvoice
 * numbers a series in date order and refuses an invoice dated before the series' last one (ADR 0020).
 * Its tax point stays the sale's date, so a claim expiring after midnight on 31 December does not
 * move the invoice into the next year's VAT rates (only into the next year's series). Calling it
 * twice for an order is a bug in the machine: it throws {@link MachineInvariantError}, which
 * `decide` turns into a human case.
 */
export function startOriginalIssuance(
  b: StepBuilder,
  state: OrderState,
  fact: BuyerFact | undefined,
): OrderState {
  if (state.invoices.some((i) => i.role === "original")) {
    throw new MachineInvariantError(`order ${state.orderId} already has an original invoice`);
  }
  if (!state.payment) throw new MachineInvariantError(`order ${state.orderId} is not paid`);
  const buyer: InvoiceBuyer = fact ? fact.buyer : { kind: "anonymous" };
  const transactionUuid = invoiceTransactionUuid(state.merchantId, state.orderId, ORIGINAL_SEQ);
  const saleDate = vietnamDateOf(state.payment.paidAt);
  const invoice: InvoiceRecord = {
    seq: ORIGINAL_SEQ,
    role: "original",
    transactionUuid,
    buyer,
    status: "issuing",
    invoiceDate: laterDate(vietnamDateOf(b.ctx.now), saleDate),
    taxPointDate: saleDate,
    attempts: [],
  };
  if (fact) invoice.basis = refOf(fact);
  const next: OrderState = { ...state, status: "ISSUING", invoices: [...state.invoices, invoice] };
  return beginCall(b, next, invoice, "send");
}

export function openClaim(b: StepBuilder, state: OrderState, token: string, deadline: number): OrderState {
  if (typeof token !== "string" || token.length < 16) {
    throw new Error("decide needs fresh.claimToken (a random UUID) to open a claim");
  }
  b.push({ type: "OpenClaim", claimToken: token, deadline });
  b.publish("ClaimOpened", { claimToken: token, claimDeadline: deadline });
  return { ...state, status: "AWAITING_CLAIM", claim: { token, deadline, status: "open" } };
}

/** Closes an open claim (no-op when there is none or it is already closed). */
export function closeClaim(
  b: StepBuilder,
  state: OrderState,
  reason: Extract<Effect, { type: "CloseClaim" }>["reason"],
): OrderState {
  const claim = state.claim;
  if (claim?.status !== "open") return state;
  b.push({ type: "CloseClaim", claimToken: claim.token, reason });
  if (reason === "expired")
    b.publish("ClaimExpired", { claimToken: claim.token, issuedToAnonymousBuyer: true });
  else b.publish("ClaimResolved", { claimToken: claim.token, reason });
  const status: ClaimRecord["status"] = reason;
  const { expiryDeferred: _deferred, ...rest } = claim;
  return { ...state, claim: { ...rest, status } };
}
