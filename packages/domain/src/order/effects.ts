import type { EpochMs, InvoiceBuyer, InvoiceEvent, InvoiceRole, IssuanceEventType } from "../events.ts";
import type { CorrectionReason, OrderStatus, PaymentFact } from "./state.ts";

/** The issued invoice a correction refers to. */
export interface InvoiceReference {
  invoiceSeq: number;
  transactionUuid: string;
  invoiceNo?: string;
}

export type AuditOutcome = "applied" | "ignored" | "recorded" | "rejected";

export interface AuditRecord {
  eventId: string;
  eventType: IssuanceEventType;
  outcome: AuditOutcome;
  before: OrderStatus | null;
  after: OrderStatus | null;
  /** Who caused it: "system", or ReplayRequested.requestedBy. */
  actor: string;
  /** The causing eventId doubles as correlation id across the issuer's writes. */
  correlationId: string;
  note?: string;
}

/** Codes a human (merchant support, finance, SRE) has to look at; each is also published. */
export type ReviewCode =
  | "LATE_BUYER_CHANGE"
  | "BUYER_NAME_ADDRESS_CHANGE"
  | "INVALID_BUYER_IN_PAYMENT"
  | "SECOND_PAYMENT"
  | "CORRECTION_FAILED"
  | "CONTRADICTORY_CALLBACK";

export type RejectCode =
  | "INVALID_BUYER"
  | "INVALID_EVENT"
  | "CLAIM_TOKEN_UNKNOWN"
  | "PAYMENT_NOT_SEEN"
  | "INVALID_REFUND"
  | "UNKNOWN_TRANSACTION"
  | "NOTHING_TO_REPLAY";

/**
 * What the issuer must do after a decision, as data. The issuer performs them inside the same
 * transaction as the state write where they are DB writes (audit, claim rows, outbox), and after
 * commit where they call out (provider, Kafka).
 */
export type Effect =
  /** Create the order's one original invoice and send it under `transactionUuid`. */
  | {
      type: "IssueInvoice";
      invoiceSeq: number;
      transactionUuid: string;
      buyer: InvoiceBuyer;
      payment: PaymentFact;
    }
  /**
   * Send an existing invoice again under its existing key. The outcome of an earlier send may be
   * unknown, so look the key up at the provider first and only resend when nothing is found
   * (SInvoice creates a second invoice when the same key is sent twice concurrently).
   */
  | {
      type: "ResumeIssuance";
      invoiceSeq: number;
      role: InvoiceRole;
      transactionUuid: string;
      buyer: InvoiceBuyer;
      lookupFirst: true;
    }
  | { type: "OpenClaim"; claimToken: string; deadline: EpochMs }
  | { type: "CloseClaim"; claimToken: string; reason: "submitted" | "requested" | "expired" | "refunded" }
  /** Do not send it if not sent yet; if the provider issues it anyway, a callback comes back. */
  | { type: "CancelPendingIssuance"; invoiceSeq: number; transactionUuid: string; reason: string }
  | {
      type: "IssueAdjustment";
      invoiceSeq: number;
      transactionUuid: string;
      adjusts: InvoiceReference;
      reason: CorrectionReason;
    }
  | {
      type: "IssueReplacement";
      invoiceSeq: number;
      transactionUuid: string;
      replaces: InvoiceReference;
      buyer: InvoiceBuyer;
      reason: CorrectionReason;
    }
  | { type: "PublishInvoiceEvent"; event: InvoiceEvent }
  | { type: "RecordAudit"; audit: AuditRecord }
  | { type: "RecordForHuman"; code: ReviewCode; message: string }
  /** The event cannot be applied; `retriable` says whether redelivering it later could succeed. */
  | { type: "Reject"; code: RejectCode; message: string; retriable: boolean };

export type EffectType = Effect["type"];
