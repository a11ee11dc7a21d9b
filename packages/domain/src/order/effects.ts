import type {
  EpochMs,
  InvoiceBuyer,
  InvoiceEvent,
  InvoiceRole,
  IssuanceEventType,
  WakeUpReason,
} from "../events.ts";
import type { LocalDate } from "../local-date.ts";
import type { CorrectionReason, OrderStatus, PaymentFact } from "./state.ts";

/** The issued invoice a correction refers to (XML `TTHDLQuan`). */
export interface InvoiceReference {
  invoiceSeq: number;
  transactionUuid: string;
  /** Known: corrections wait for the corrected invoice's number. */
  invoiceNo: string;
  /** Its ngày lập: the correction document's `correction.original.invoiceDate`. */
  invoiceDate: LocalDate;
}

/**
 * Dates decided by the machine (ADR 0020), never by the issuer at send time:
 * - `invoiceDate`: this invoice's ngày lập (NLap), a Vietnam date (UTC+7): the day the send is made
 *   (the deciding clock), never before the sale nor before an earlier invoice of the order; a
 *   lookup-first resend keeps the date of the attempt that may have created it. SInvoice numbers a
 *   series in date order, so dating sends the day they are made keeps the series' dates in the order
 *   the sends are made. The invoice symbol's year must match it.
 * - `taxPointDate`: the date whose VAT rates apply, the sale's date (`paidAt` in Asia/Ho_Chi_Minh),
 *   also for every correction of it (an adjustment in January 2027 of a December 2026 invoice uses
 *   the December 2026 rates), whenever the invoice itself is made.
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
  /** Who caused it: "system", "issuer" (internal events), or ReplayRequested.requestedBy. */
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
  /** A payment or refund id arrived again with other amounts (or lines, or date): not applied. */
  | "CONFLICTING_DUPLICATE"
  | "CORRECTION_FAILED"
  | "CONTRADICTORY_CALLBACK"
  /** A buyer claimed (or asked) before the claim deadline but the anonymous invoice was issued first. */
  | "CLAIM_LOST_RACE"
  /** A refund flagged `full` whose amount does not bring the refunds up to the amount paid. */
  | "REFUND_FLAG_MISMATCH"
  /** A refund that arrived before its payment turned out to exceed what was paid. */
  | "REFUND_EXCEEDS_PAYMENT"
  /** A refund of an issued invoice left to a human by merchant policy (`refundAfterIssuance`). */
  | "REFUND_AFTER_ISSUANCE"
  /** The issuer's retries ran out while the provider may hold the invoice (a replay resumes with a lookup). */
  | "SEND_OUTCOME_UNKNOWN"
  /** The provider gave a number that is not 1-8 digits, or never gave one. */
  | "INVOICE_NUMBER_MISSING"
  /** The machine refused its own decision because it broke an invariant (see decide.ts). */
  | "INVARIANT_VIOLATION";

export type RejectCode =
  | "INVALID_BUYER"
  | "INVALID_EVENT"
  | "INVALID_PAYMENT"
  | "CLAIM_TOKEN_UNKNOWN"
  | "INVALID_REFUND"
  | "UNKNOWN_TRANSACTION"
  | "UNKNOWN_ATTEMPT"
  | "NOTHING_TO_REPLAY";

/**
 * What every effect that makes the issuer call the provider carries (README "The issuer's contract").
 * One call per effect; the issuer feeds its outcome back as a `SendResult` naming `attemptId`.
 */
export interface ProviderCall {
  invoiceSeq: number;
  role: InvoiceRole;
  /** The invoice's idempotency key (SInvoice transactionUuid), the same for every attempt. */
  transactionUuid: string;
  /** `<transactionUuid>:<attempt>`; send it along (our request log, simulator header). */
  attemptId: string;
  /** 1-based per invoice. Attempt 1 of IssueInvoice / IssueAdjustment / IssueReplacement creates the invoice row. */
  attempt: number;
  /** Do not start the provider call after this instant: report `not-sent` instead. */
  startBy: EpochMs;
  /** No other call on this key is decided before this instant: the call must be over by then. */
  leaseUntil: EpochMs;
}

/**
 * A send: look `transactionUuid` up first when `lookupFirst` (an earlier attempt's outcome is
 * unknown) and report `found` without sending if the provider holds it; otherwise send, and report
 * issued / rejected / unknown / not-sent.
 */
export interface SendCall extends ProviderCall {
  lookupFirst: boolean;
}

/**
 * What the issuer must do after a decision, as data. The issuer performs them inside the same
 * transaction as the state write where they are DB writes (audit, claim rows, outbox), and after
 * commit where they call out (provider, Kafka).
 */
export type Effect =
  /** Create the order's one original invoice (attempt 1) or send it again (attempt > 1). */
  | ({
      type: "IssueInvoice";
      buyer: InvoiceBuyer;
      payment: PaymentFact;
    } & SendCall &
      IssuanceDates)
  | ({
      type: "IssueAdjustment";
      adjusts: InvoiceReference;
      /** The buyer the adjustment document names: the new buyer for a buyer change. */
      buyer: InvoiceBuyer;
      reason: CorrectionReason;
    } & SendCall &
      IssuanceDates)
  | ({
      type: "IssueReplacement";
      replaces: InvoiceReference;
      buyer: InvoiceBuyer;
      reason: CorrectionReason;
    } & SendCall &
      IssuanceDates)
  /**
   * Only look the key up; report found (with number, series, date if known) or not-found. `resolve`:
   * an earlier send's outcome is unknown and something else must happen to the invoice first
   * (cancel, retarget); `number`: the invoice is issued but its number is not known yet.
   */
  | ({ type: "LookUpInvoice"; purpose: "resolve" | "number" } & ProviderCall)
  /**
   * Feed `WakeUp { attemptId, reason }` with eventId `wakeUpEventId` back at `at` or later.
   * `retry: true` follows a failed call: apply your backoff (never earlier than `at`), count it
   * against the retry budget, and when the budget is spent feed `SendRetriesExhausted` instead.
   * `retry: false` only waits (a lease, a claim deadline, a number): it does not spend the budget.
   */
  | {
      type: "ScheduleWakeUp";
      at: EpochMs;
      reason: WakeUpReason;
      retry: boolean;
      attemptId?: string;
      invoiceSeq?: number;
      /**
       * The eventId to feed the WakeUp with (ProcessedEvent dedupes it): the same for the same
       * wake-up asked twice, a new one when a wake-up that fell due early asks for itself again.
       */
      wakeUpEventId: string;
    }
  | { type: "OpenClaim"; claimToken: string; deadline: EpochMs }
  | { type: "CloseClaim"; claimToken: string; reason: "submitted" | "requested" | "expired" | "refunded" }
  /**
   * Mark the invoice row cancelled; never send it again. If a send's outcome was unknown, a
   * LookUpInvoice (now or after the lease) settles whether the provider holds it after all.
   */
  | { type: "CancelPendingIssuance"; invoiceSeq: number; transactionUuid: string; reason: string }
  | { type: "PublishInvoiceEvent"; event: InvoiceEvent }
  | { type: "RecordAudit"; audit: AuditRecord }
  | { type: "RecordForHuman"; code: ReviewCode; message: string }
  /**
   * The event cannot be applied: state unchanged; the issuer sends the record to the DLQ with this
   * reason and does not mark the eventId processed (a DLQ re-publish is decided again).
   */
  | { type: "Reject"; code: RejectCode; message: string };

export type EffectType = Effect["type"];

/** The effects that make the issuer call the provider. */
export type ProviderEffect = Extract<
  Effect,
  { type: "IssueInvoice" | "IssueAdjustment" | "IssueReplacement" | "LookUpInvoice" }
>;

export function isProviderEffect(effect: Effect): effect is ProviderEffect {
  return (
    effect.type === "IssueInvoice" ||
    effect.type === "IssueAdjustment" ||
    effect.type === "IssueReplacement" ||
    effect.type === "LookUpInvoice"
  );
}
