// Provider calls with identity: every send or lookup the machine asks for is an attempt with its own
// id and lease, recorded on the invoice. What the machine may ask for next, and when, is decided
// here from that history alone (README "The issuer's contract").
import { sameBuyer } from "../buyer.ts";
import type { WakeUpReason } from "../events.ts";
import { laterDate, vietnamDateOf } from "../local-date.ts";
import { attemptIdOf, currentAttempt, isOpen, mayExist } from "./attempts.ts";
import type { Effect, InvoiceReference } from "./effects.ts";
import { MachineInvariantError } from "./machine-error.ts";
import { leaseMsOf, startWindowMsOf } from "./policy.ts";
import {
  type InvoiceRecord,
  invoiceBySeq,
  type OrderState,
  type ProviderAttempt,
  replaceInvoice,
} from "./state.ts";
import type { StepBuilder } from "./step.ts";

/** The latest invoice date already given to another invoice of the order that is or will be sent. */
function latestOtherDate(state: OrderState, seq: number): string | undefined {
  let latest: string | undefined;
  for (const i of state.invoices) {
    if (i.seq === seq || (i.status !== "issued" && i.status !== "issuing")) continue;
    if (latest === undefined || i.invoiceDate > latest) latest = i.invoiceDate;
  }
  return latest;
}

function referenceTo(state: OrderState, seq: number | undefined): InvoiceReference {
  const target = seq === undefined ? undefined : invoiceBySeq(state, seq);
  if (!target?.invoiceNo) {
    throw new MachineInvariantError(`correction of invoice ${seq} without the corrected invoice's number`);
  }
  return {
    invoiceSeq: target.seq,
    transactionUuid: target.transactionUuid,
    invoiceNo: target.invoiceNo,
    invoiceDate: target.invoiceDate,
  };
}

function sendEffect(state: OrderState, invoice: InvoiceRecord, attempt: ProviderAttempt): Effect {
  const call = {
    invoiceSeq: invoice.seq,
    role: invoice.role,
    transactionUuid: invoice.transactionUuid,
    attemptId: attempt.attemptId,
    attempt: attempt.attempt,
    lookupFirst: attempt.lookupFirst,
    startBy: attempt.startBy,
    leaseUntil: attempt.leaseUntil,
    invoiceDate: attempt.invoiceDate,
    taxPointDate: invoice.taxPointDate,
    buyer: attempt.buyer,
  };
  if (invoice.role === "original") {
    if (!state.payment) throw new MachineInvariantError(`order ${state.orderId} is not paid`);
    return { type: "IssueInvoice", ...call, payment: state.payment };
  }
  if (!invoice.reason) throw new MachineInvariantError(`correction ${invoice.seq} has no reason`);
  const reference = referenceTo(state, invoice.relatesToSeq);
  return invoice.role === "adjustment"
    ? { type: "IssueAdjustment", ...call, adjusts: reference, reason: invoice.reason }
    : { type: "IssueReplacement", ...call, replaces: reference, reason: invoice.reason };
}

/**
 * The date a send decided at `now` carries (ADR 0020). While nothing can be under the key, the day
 * it is made — the deciding clock's Vietnam date —, never before the date the invoice already has
 * nor before another invoice of the order that is or will be sent: a resend after a refusal or a
 * failure is dated the day it goes out, which keeps the series' dates in the order the sends are
 * made. While an earlier attempt may have created it (a lookup-first send), the date stays: every
 * attempt since the key was last known absent then carries one date, so the invoice the lookup
 * finds has the date the machine records, whichever of them created it; if the lookup finds
 * nothing and the late send is refused for its date, the refusal re-dates it.
 */
export function sendDate(state: OrderState, invoice: InvoiceRecord, now: number): string {
  if (mayExist(invoice)) return invoice.invoiceDate;
  const latest = latestOtherDate(state, invoice.seq);
  const date = laterDate(invoice.invoiceDate, vietnamDateOf(now));
  return latest === undefined ? date : laterDate(date, latest);
}

/**
 * Starts attempt n+1 on the invoice and pushes the effect that performs it. A send looks the key up
 * first whenever an earlier attempt may have created it, and carries the day it is made
 * ({@link sendDate}).
 */
export function beginCall(
  b: StepBuilder,
  state: OrderState,
  invoice: InvoiceRecord,
  kind: "send" | "lookup",
  purpose: "resolve" | "number" = "resolve",
): OrderState {
  const { now, policy } = b.ctx;
  const n = invoice.attempts.length + 1;
  let record = invoice;
  if (kind === "send") {
    const invoiceDate = sendDate(state, invoice, now);
    if (invoiceDate !== invoice.invoiceDate) record = { ...invoice, invoiceDate };
  }
  const attempt: ProviderAttempt = {
    attempt: n,
    attemptId: attemptIdOf(invoice.transactionUuid, n),
    kind,
    lookupFirst: kind === "send" && mayExist(invoice),
    buyer: record.buyer,
    ...(record.basis ? { basis: record.basis } : {}),
    invoiceDate: record.invoiceDate,
    startedAt: now,
    startBy: now + startWindowMsOf(policy),
    leaseUntil: now + leaseMsOf(policy),
    status: "in-flight",
  };
  record = { ...record, attempts: [...record.attempts, attempt] };
  const next = replaceInvoice(state, record);
  if (kind === "lookup") {
    b.push({
      type: "LookUpInvoice",
      purpose,
      invoiceSeq: record.seq,
      role: record.role,
      transactionUuid: record.transactionUuid,
      attemptId: attempt.attemptId,
      attempt: n,
      startBy: attempt.startBy,
      leaseUntil: attempt.leaseUntil,
    });
  } else {
    b.push(sendEffect(next, record, attempt));
  }
  return next;
}

export function replaceAttempt(
  state: OrderState,
  invoice: InvoiceRecord,
  attempt: ProviderAttempt,
): OrderState {
  const attempts = invoice.attempts.map((a) => (a.attemptId === attempt.attemptId ? attempt : a));
  return replaceInvoice(state, { ...invoice, attempts });
}

/**
 * The eventId of the WakeUp the issuer feeds back for a wake-up: derived from what is asked for
 * (`<attemptId or orderId>:wake:<reason>:<at>`), so the same wake-up asked for by several decisions
 * (replays inside one lease) is applied once. A wake-up decided before its time by a clock that is
 * behind asks for itself again: under its own id ProcessedEvent would drop it (the id being decided
 * is recorded in the same transaction), and the invoice or the claim would wait for an event that
 * never comes. So a wake-up asking for itself again gets `:again:<n>`.
 */
function wakeUpEventId(b: StepBuilder, base: string): string {
  const deciding = b.ctx.event;
  if (deciding.type !== "WakeUp") return base;
  if (deciding.eventId === base) return `${base}:again:1`;
  const again = `${base}:again:`;
  if (!deciding.eventId.startsWith(again)) return base;
  const n = Number(deciding.eventId.slice(again.length));
  return Number.isSafeInteger(n) && n > 0 ? `${again}${n + 1}` : base;
}

export function wakeUp(
  b: StepBuilder,
  invoice: InvoiceRecord | undefined,
  at: number,
  reason: WakeUpReason,
  retry: boolean,
): void {
  const attempt = invoice && currentAttempt(invoice);
  const base = `${attempt?.attemptId ?? b.ctx.event.orderId}:wake:${reason}:${at}`;
  b.push({
    type: "ScheduleWakeUp",
    at,
    reason,
    retry,
    ...(attempt ? { attemptId: attempt.attemptId } : {}),
    ...(invoice ? { invoiceSeq: invoice.seq } : {}),
    wakeUpEventId: wakeUpEventId(b, base),
  });
}

/** A buyer change waits that the original can still take, once nothing may stand under its key. */
function retargetWaiting(state: OrderState, invoice: InvoiceRecord): boolean {
  const pending = state.pendingBuyerChange;
  return invoice.role === "original" && pending !== undefined && !sameBuyer(pending.buyer, invoice.buyer);
}

/** What the invoice needs from the provider now, if anything (failed invoices wait for a replay). */
export function neededCall(invoice: InvoiceRecord): "send" | "lookup" | "number" | undefined {
  switch (invoice.status) {
    case "issuing":
      return "send";
    case "cancelled":
    case "abandoned":
      return mayExist(invoice) ? "lookup" : undefined;
    case "issued":
      return invoice.invoiceNo === undefined ? "number" : undefined;
    default:
      return undefined;
  }
}

export interface DriveResult {
  state: OrderState;
  /** What happened, for the audit note; undefined when the invoice needed nothing. */
  note?: string;
}

/**
 * Moves one invoice's provider work forward at `now`, never more than the lease allows:
 * - an open call inside its lease: wait (a wake-up at the lease's end);
 * - an open call whose lease is over for the first time: the lease is re-armed from this decision's
 *   clock and the machine waits again, so a call started by a decider whose clock was behind is not
 *   followed up at once by one whose clock is right;
 * - an open call whose re-armed lease is over, or no open call: the next call — a send (looking up
 *   first if an earlier attempt may have created it), or only a lookup when the invoice is cancelled
 *   or abandoned, or a retarget waits for it, or the invoice is issued without a number.
 */
export function drive(b: StepBuilder, state: OrderState, invoice: InvoiceRecord): DriveResult {
  const need = neededCall(invoice);
  if (!need) return { state };
  const { now, policy } = b.ctx;
  const current = currentAttempt(invoice);
  if (current && isOpen(current)) {
    if (now < current.leaseUntil) {
      wakeUp(b, invoice, current.leaseUntil, "lease", false);
      return {
        state,
        note: `invoice ${invoice.seq}: call ${current.attempt} leased until ${current.leaseUntil}`,
      };
    }
    if (current.leaseLapsedAt === undefined) {
      const lapsed: ProviderAttempt = { ...current, leaseLapsedAt: now, leaseUntil: now + leaseMsOf(policy) };
      const next = replaceAttempt(state, invoice, lapsed);
      wakeUp(b, invoiceBySeq(next, invoice.seq), lapsed.leaseUntil, "lease", false);
      return {
        state: next,
        note: `invoice ${invoice.seq}: call ${current.attempt} unanswered past its lease; lease re-armed until ${lapsed.leaseUntil}`,
      };
    }
  }
  if (need === "send" && !(mayExist(invoice) && retargetWaiting(state, invoice))) {
    const n = invoice.attempts.length + 1;
    return { state: beginCall(b, state, invoice, "send"), note: `invoice ${invoice.seq}: send attempt ${n}` };
  }
  const n = invoice.attempts.length + 1;
  return {
    state: beginCall(b, state, invoice, "lookup", need === "number" ? "number" : "resolve"),
    note: `invoice ${invoice.seq}: lookup attempt ${n}`,
  };
}
