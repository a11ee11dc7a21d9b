import type { EpochMs, InvoiceBuyer, InvoiceEvent, InvoiceRole, IssuanceEventType } from "../events.ts";
import type { LocalDate } from "../local-date.ts";
import type { CorrectionReason, OrderStatus, PaymentFact } from "./state.ts";

/** The issued invoice a correction refers to (XML `TTHDLQuan`). */
export interface InvoiceReference {
  invoiceSeq: number;
  transactionUuid: string;
  invoiceNo?: string;
  /** Its ngày lập: the correction document's `correction.original.invoiceDate`. */
  invoiceDate: LocalDate;
}

/**
 * Dates decided by the machine, never by the issuer's clock, so the VAT rate and the symbol year do
 * not depend on when the issuer happens to run:
 * - `invoiceDate`: this invoice's ngày lập (NLap), a Vietnam date (UTC+7). The original's is the
 *   payment's date (`paidAt` in Asia/Ho_Chi_Minh); a correction's is the date of the event that
 *   caused it, never before the invoice it corrects. The invoice symbol's year must match it.
 * - `taxPointDate`: the date whose VAT rates apply, the sale's date (the original's invoiceDate),
 *   also for every correction of it (an adjustment in January 2027 of a December 2026 invoice uses
 *   the December 2026 rates).
 */
export interface IssuanceDates {
  invoiceDate: LocalDate;
  taxPointDate: LocalDate;
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
  | "CONTRADICTORY_CALLBACK"
  /** A buyer claimed (or asked) before the claim deadline but the anonymous invoice was issued first. */
  | "CLAIM_LOST_RACE"
  /** A refund flagged `full` whose amount does not bring the refunds up to the amount paid. */
  | "REFUND_FLAG_MISMATCH"
  /** The machine refused its own decision because it broke an invariant (see decide.ts). */
  | "INVARIANT_VIOLATION";

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
  | ({
      type: "IssueInvoice";
      invoiceSeq: number;
      transactionUuid: string;
      buyer: InvoiceBuyer;
      payment: PaymentFact;
    } & IssuanceDates)
  /**
   * Send an existing invoice again under its existing key. The outcome of an earlier send may be
   * unknown, so the issuer MUST look `transactionUuid` up at the provider first and only resend when
   * nothing is found (DESIGN.md section 4: SInvoice creates a second invoice when the same key is sent
   * twice concurrently). The machine never emits it while an earlier send of the same invoice is
   * within the in-flight guard (`previousSendStartedAt` + MerchantPolicy.sendInFlightGuardMs).
   */
  | ({
      type: "ResumeIssuance";
      invoiceSeq: number;
      role: InvoiceRole;
      transactionUuid: string;
      buyer: InvoiceBuyer;
      lookupFirst: true;
      /** When the previous send of this invoice was started, if one was. */
      previousSendStartedAt?: EpochMs;
    } & IssuanceDates)
  | { type: "OpenClaim"; claimToken: string; deadline: EpochMs }
  | { type: "CloseClaim"; claimToken: string; reason: "submitted" | "requested" | "expired" | "refunded" }
  /** Do not send it if not sent yet; if the provider issues it anyway, a callback comes back. */
  | { type: "CancelPendingIssuance"; invoiceSeq: number; transactionUuid: string; reason: string }
  | ({
      type: "IssueAdjustment";
      invoiceSeq: number;
      transactionUuid: string;
      adjusts: InvoiceReference;
      reason: CorrectionReason;
    } & IssuanceDates)
  | ({
      type: "IssueReplacement";
      invoiceSeq: number;
      transactionUuid: string;
      replaces: InvoiceReference;
      buyer: InvoiceBuyer;
      reason: CorrectionReason;
    } & IssuanceDates)
  | { type: "PublishInvoiceEvent"; event: InvoiceEvent }
  | { type: "RecordAudit"; audit: AuditRecord }
  | { type: "RecordForHuman"; code: ReviewCode; message: string }
  /** The event cannot be applied; `retriable` says whether redelivering it later could succeed. */
  | { type: "Reject"; code: RejectCode; message: string; retriable: boolean };

export type EffectType = Effect["type"];
