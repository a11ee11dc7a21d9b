/**
 * Events on `invoice.issuance` (inbound to the per-order state machine) and on `invoice.events`
 * (outbound), as plain TypeScript types. The Avro schemas in @invoice/schemas carry the same field
 * names; keep the two aligned when either changes.
 *
 * Times are epoch milliseconds (Avro `timestamp-millis`). Money is whole VND.
 */
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
}

/** Who an invoice is made out to: a named buyer, or the anonymous retail buyer (buyerNotGetInvoice). */
export type InvoiceBuyer = BuyerInfo | { kind: "anonymous" };

/** A line of the order as commerce sends it; the same shape the VAT module computes with. */
export type OrderLine = InvoiceLineInput;

export interface PaymentSucceededPayload {
  paymentId: string;
  amountVnd: number;
  paidAt: EpochMs;
  lines?: OrderLine[];
  buyer?: BuyerInfo;
}

export interface InvoiceRequestedPayload {
  buyer: BuyerInfo;
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

export interface ProviderCallbackPayload {
  /** The idempotency key the invoice was sent with (SInvoice transactionUuid). */
  transactionUuid: string;
  outcome: "issued" | "failed";
  invoiceNo?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface IssuancePayloads {
  PaymentSucceeded: PaymentSucceededPayload;
  InvoiceRequested: InvoiceRequestedPayload;
  ClaimSubmitted: ClaimSubmittedPayload;
  ClaimExpired: ClaimExpiredPayload;
  ReplayRequested: ReplayRequestedPayload;
  PaymentRefunded: PaymentRefundedPayload;
  ProviderCallback: ProviderCallbackPayload;
}

export type IssuanceEventType = keyof IssuancePayloads;

export const ISSUANCE_EVENT_TYPES: readonly IssuanceEventType[] = [
  "PaymentSucceeded",
  "InvoiceRequested",
  "ClaimSubmitted",
  "ClaimExpired",
  "ReplayRequested",
  "PaymentRefunded",
  "ProviderCallback",
];

/** The `IssuanceEvent` envelope of one type. */
export interface IssuanceEventOf<T extends IssuanceEventType> {
  /** Unique per event; the state machine applies each eventId at most once. */
  eventId: string;
  orderId: string;
  merchantId: string;
  occurredAt: EpochMs;
  type: T;
  payload: IssuancePayloads[T];
}

export type IssuanceEvent = { [T in IssuanceEventType]: IssuanceEventOf<T> }[IssuanceEventType];

/** What `invoice.events` carries, produced as effects by the state machine. */
export interface InvoiceEventPayloads {
  ClaimOpened: { claimToken: string; claimDeadline: EpochMs };
  ClaimExpired: { claimToken: string };
  ClaimResolved: { claimToken: string; reason: "submitted" | "requested" | "refunded" };
  InvoiceIssued: { invoiceSeq: number; role: InvoiceRole; transactionUuid: string; invoiceNo?: string };
  InvoiceFailed: {
    invoiceSeq: number;
    role: InvoiceRole;
    transactionUuid: string;
    errorCode: string;
    errorMessage: string;
  };
  IssuanceCancelled: { invoiceSeq: number; transactionUuid: string; reason: string };
  CorrectionStarted: {
    invoiceSeq: number;
    role: "adjustment" | "replacement";
    relatesToSeq: number;
    transactionUuid: string;
    reason: string;
  };
  ReviewRequired: { code: string; message: string };
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
