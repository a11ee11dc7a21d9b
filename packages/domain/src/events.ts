/**
 * The state machine's events, as plain TypeScript types:
 * - external events arrive on `invoice.issuance` (Avro `IssuanceEvent`, packages/schemas);
 * - internal events are produced only by the issuer about its own provider calls and timers
 *   (`SendResult`, `WakeUp`, `SendRetriesExhausted`): they never travel on Kafka, but they are
 *   domain events like the others, with deterministic eventIds (dedupe) and an audit record;
 * - `InvoiceEvent`s are what the machine publishes on `invoice.events`.
 *
 * The Avro schemas are the truth for what crosses Kafka; `@invoice/schemas`'s event mapping
 * converts between them and these types both ways and refuses, with a reason, what cannot be mapped.
 *
 * Times are epoch milliseconds (Avro `timestamp-millis`). Money is whole VND.
 */
import type { LocalDate } from "./local-date.ts";
import type { InvoiceLineInput } from "./vat/totals.ts";

export type EpochMs = number;

/** Buyer tax information as the buyer or checkout gives it (not yet validated or normalised). */
export interface BuyerInfo {
  kind: "company" | "individual";
  /** Mã số thuế: 10 or 13 digits, or a 12-digit personal ID for households. Required for companies. */
  taxCode?: string;
  name: string;
  address?: string;
  email?: string;
  /** 12-digit personal identification number / CCCD (XML `NMua/CCCDan`). */
  personalId?: string;
  /** Contact phone (XML `NMua/SDThoai`, at most 20 characters). */
  phone?: string;
}

/** Who an invoice is made out to: a named buyer, or the anonymous retail buyer (buyerNotGetInvoice). */
export type InvoiceBuyer = BuyerInfo | { kind: "anonymous" };

/** A line of the order as commerce sends it; the same shape the VAT module computes with. */
export type OrderLine = InvoiceLineInput;

export interface PaymentSucceededPayload {
  paymentId: string;
  /** What was paid, VAT included: the lines must add up to it exactly under the rounding rule. */
  amountVnd: number;
  paidAt: EpochMs;
  /** At least one line; prices VAT-exclusive (README "VAT and totals"). */
  lines: OrderLine[];
  buyer?: BuyerInfo;
}

export interface InvoiceRequestedPayload {
  buyer: BuyerInfo;
  /** Where the request came from: checkout, merchant-api, merchant-webhook, internal-webhook. */
  channel?: string;
}

export interface ClaimSubmittedPayload {
  claimToken: string;
  buyer: BuyerInfo;
}

export interface ClaimExpiredPayload {
  claimToken: string;
}

export interface ReplayRequestedPayload {
  reason: string;
  requestedBy: string;
}

export interface PaymentRefundedPayload {
  refundId: string;
  amountVnd: number;
  /** The whole payment was refunded (cumulative refunds reaching the paid amount count as full too). */
  full: boolean;
}

/**
 * The provider's own asynchronous notice about a key (SInvoice numbering done later), arriving
 * through ingest. It names no attempt of ours, so it can only ever add knowledge: "issued" is a fact
 * about the key; "failed" never fails an invoice (see README "The issuer's contract").
 */
export interface ProviderCallbackPayload {
  /** The idempotency key the invoice was sent with (SInvoice transactionUuid). */
  transactionUuid: string;
  outcome: "issued" | "failed";
  invoiceNo?: string;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * What one provider call of an attempt ended with, as the issuer saw it:
 * - `issued`: the provider created (or, for a repeat of a completed key, returned) the invoice;
 * - `rejected`: refused for good (validation, authorisation): nothing was created under the key;
 * - `unknown`: timeout, connection reset, 5xx: the provider may have created it;
 * - `not-sent`: the request certainly never reached the provider (breaker open, connection refused,
 *   the attempt's `startBy` had passed): nothing was created by this attempt;
 * - `found` / `not-found`: the lookup by key found an invoice / found nothing (the send that
 *   followed a lookup reports the send's outcome instead).
 */
export type SendOutcome = "issued" | "rejected" | "unknown" | "not-sent" | "found" | "not-found";

/**
 * The `errorCode` of a `rejected` send that the provider refused for its invoice date (before the
 * series' last invoice, or after the provider's "now": SInvoice numbers a series in date order).
 * Certainly not created, and curable by dating the invoice again, so the machine takes it as
 * `not-sent` and sends again dated the day the send goes out, instead of failing the invoice
 * (ADR 0020). The issuer reports the provider layer's code unchanged.
 */
export const INVOICE_DATE_REFUSED = "PROVIDER_INVOICE_DATE_REFUSED";

export interface SendResultPayload {
  /** The attempt the call belonged to (the effect's `attemptId`). */
  attemptId: string;
  outcome: SendOutcome;
  /** What this attempt sent (send calls only): the buyer on the document and the document's hash. */
  sent?: { buyer: InvoiceBuyer; documentHash: string };
  /** issued / found: the provider's number (số hóa đơn, 1-8 digits) when it gave one. */
  invoiceNo?: string;
  /** issued / found: the series (ký hiệu) and date (ngày lập) the provider holds, when it says. */
  series?: string;
  invoiceDate?: LocalDate;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * Why the issuer wakes the machine up: a `ScheduleWakeUp` it was asked for fell due (its `reason`
 * echoed back), or `recovery`: a record of the order was delivered again after it had been applied
 * (a crash or rebalance between the decision and the offset commit), so a send it started may have
 * been lost with its process.
 */
export type WakeUpReason = "retry" | "lease" | "number" | "claim-deadline" | "recovery";

export interface WakeUpPayload {
  /** The attempt a scheduled wake-up is for; absent for claim deadlines and recovery. */
  attemptId?: string;
  reason: WakeUpReason;
}

export interface SendRetriesExhaustedPayload {
  attemptId: string;
  /** How many provider calls the issuer's retry policy spent on this invoice. */
  retries: number;
  errorCode: string;
  errorMessage: string;
}

export interface IssuancePayloads {
  PaymentSucceeded: PaymentSucceededPayload;
  InvoiceRequested: InvoiceRequestedPayload;
  ClaimSubmitted: ClaimSubmittedPayload;
  ClaimExpired: ClaimExpiredPayload;
  ReplayRequested: ReplayRequestedPayload;
  PaymentRefunded: PaymentRefundedPayload;
  ProviderCallback: ProviderCallbackPayload;
  SendResult: SendResultPayload;
  WakeUp: WakeUpPayload;
  SendRetriesExhausted: SendRetriesExhaustedPayload;
}

export type IssuanceEventType = keyof IssuancePayloads;

/** Events that arrive on `invoice.issuance` (Avro `IssuanceEvent`). */
export const EXTERNAL_ISSUANCE_EVENT_TYPES = [
  "PaymentSucceeded",
  "InvoiceRequested",
  "ClaimSubmitted",
  "ClaimExpired",
  "ReplayRequested",
  "PaymentRefunded",
  "ProviderCallback",
] as const satisfies readonly IssuanceEventType[];

/** Events only the issuer produces, about its own provider calls and timers; never on Kafka. */
export const INTERNAL_ISSUANCE_EVENT_TYPES = [
  "SendResult",
  "WakeUp",
  "SendRetriesExhausted",
] as const satisfies readonly IssuanceEventType[];

export type ExternalIssuanceEventType = (typeof EXTERNAL_ISSUANCE_EVENT_TYPES)[number];
export type InternalIssuanceEventType = (typeof INTERNAL_ISSUANCE_EVENT_TYPES)[number];

export const ISSUANCE_EVENT_TYPES: readonly IssuanceEventType[] = [
  ...EXTERNAL_ISSUANCE_EVENT_TYPES,
  ...INTERNAL_ISSUANCE_EVENT_TYPES,
];

/** The `IssuanceEvent` envelope of one type. */
export interface IssuanceEventOf<T extends IssuanceEventType> {
  /**
   * Unique per event. The caller applies each eventId at most once (ProcessedEvent, in the same
   * transaction as the state write); `decide` itself does not dedupe.
   */
  eventId: string;
  orderId: string;
  merchantId: string;
  occurredAt: EpochMs;
  type: T;
  payload: IssuancePayloads[T];
}

export type IssuanceEvent = { [T in IssuanceEventType]: IssuanceEventOf<T> }[IssuanceEventType];
export type ExternalIssuanceEvent = {
  [T in ExternalIssuanceEventType]: IssuanceEventOf<T>;
}[ExternalIssuanceEventType];
export type InternalIssuanceEvent = {
  [T in InternalIssuanceEventType]: IssuanceEventOf<T>;
}[InternalIssuanceEventType];

/** What `invoice.events` carries, produced as effects by the state machine. */
export interface InvoiceEventPayloads {
  ClaimOpened: { claimToken: string; claimDeadline: EpochMs };
  /** The claim ran out; the invoice then goes to the anonymous retail buyer (always true today). */
  ClaimExpired: { claimToken: string; issuedToAnonymousBuyer: boolean };
  ClaimResolved: { claimToken: string; reason: "submitted" | "requested" | "refunded" };
  /** Published once the provider's number is known (an invoice issued without one waits for it). */
  InvoiceIssued: {
    invoiceSeq: number;
    role: InvoiceRole;
    transactionUuid: string;
    invoiceNo: string;
    invoiceDate: LocalDate;
    buyerKind: InvoiceBuyer["kind"];
  };
  InvoiceFailed: {
    invoiceSeq: number;
    role: InvoiceRole;
    transactionUuid: string;
    errorCode: string;
    errorMessage: string;
    /** Provider calls made for this invoice so far. */
    attempts: number;
  };
  IssuanceCancelled: { invoiceSeq: number; transactionUuid: string; reason: string };
  CorrectionStarted: {
    invoiceSeq: number;
    role: "adjustment" | "replacement";
    relatesToSeq: number;
    transactionUuid: string;
    reason: string;
  };
  ReviewRequired: {
    code: string;
    message: string;
    /**
     * LATE_BUYER_CHANGE: the eventId of the request or claim that came late. Often not the causing
     * event: a change that waited for a send is raised by the send's result.
     */
    requestEventId?: string;
  };
}

export type InvoiceRole = "original" | "adjustment" | "replacement";

export type InvoiceEventType = keyof InvoiceEventPayloads;

export type InvoiceEvent = {
  [T in InvoiceEventType]: {
    /** Derived from the causing event's id, so re-deciding the same event yields the same ids. */
    eventId: string;
    causationEventId: string;
    orderId: string;
    merchantId: string;
    occurredAt: EpochMs;
    type: T;
    payload: InvoiceEventPayloads[T];
  };
}[InvoiceEventType];
