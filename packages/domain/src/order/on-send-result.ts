import { INVOICE_DATE_REFUSED, type SendOutcome, type SendResultPayload } from "../events.ts";
import { currentAttempt, isOpen } from "./attempts.ts";
import { isInvoiceBuyer, optionalStrings, withoutNulls } from "./payload-checks.ts";
import { applyFailed, applyIssued, type Outcome, retargetToPending } from "./provider-results.ts";
import { beginCall, drive, neededCall, replaceAttempt, sendDate, wakeUp } from "./sends.ts";
import { type InvoiceRecord, invoiceBySeq, type OrderState, type ProviderAttempt } from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

const OUTCOMES: ReadonlySet<string> = new Set<SendOutcome>([
  "issued",
  "rejected",
  "unknown",
  "not-sent",
  "found",
  "not-found",
]);

/** The payload as the machine reads it (nulls as absent fields), or undefined when it is malformed. */
function readPayload(raw: SendResultPayload | undefined): SendResultPayload | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const p = withoutNulls(raw);
  const sent = p.sent as unknown;
  const wellFormed =
    typeof p.attemptId === "string" &&
    OUTCOMES.has(p.outcome) &&
    optionalStrings(p, ["invoiceNo", "series", "invoiceDate", "errorCode", "errorMessage"]) &&
    (sent === undefined ||
      (typeof sent === "object" &&
        sent !== null &&
        isInvoiceBuyer((sent as { buyer?: unknown }).buyer) &&
        typeof (sent as { documentHash?: unknown }).documentHash === "string"));
  return wellFormed ? p : undefined;
}

/**
 * What an answer means for the attempt it names. A lookup refused (authorisation) learned nothing,
 * and a send that reports "not-found" sent nothing: both as if the call was never made, so an
 * earlier unknown outcome still needs its lookup.
 */
function effectiveOutcome(attempt: ProviderAttempt, outcome: SendOutcome): SendOutcome {
  if (attempt.kind === "lookup" && outcome === "rejected") return "not-sent";
  if (attempt.kind === "send" && outcome === "not-found") return "not-sent";
  return outcome;
}

/** A send the provider refused for its date (ADR 0020): nothing under the key, curable by re-dating. */
export function refusedForDate(attempt: ProviderAttempt): boolean {
  return (
    attempt.kind === "send" && attempt.status === "rejected" && attempt.error?.code === INVOICE_DATE_REFUSED
  );
}

/**
 * The provider refused the send for its date: the series has moved on (a send decided before
 * midnight and made after it, an issuer whose clock is ahead, another system issuing in the series).
 * Nothing was created, so the invoice is not failed: a later date cures it at once (the next send
 * is dated the day it is made), the same date waits for the issuer's backoff and is dated again
 * then. The retry budget bounds it: when it is spent the invoice fails with RETRIES_EXHAUSTED.
 */
function onDateRefused(b: StepBuilder, state: OrderState, invoice: InvoiceRecord): Outcome {
  const refused = currentAttempt(invoice)?.invoiceDate ?? invoice.invoiceDate;
  const date = sendDate(state, invoice, b.ctx.now);
  if (date > refused) {
    const driven = drive(b, state, invoice);
    return { next: driven.state, note: `refused for its date ${refused}: ${driven.note ?? "re-dated"}` };
  }
  wakeUp(b, invoice, b.ctx.now, "retry", true);
  return { next: state, note: `refused for its date ${refused}: sent again after the backoff` };
}

/** The invoice and attempt an attempt id belongs to. */
export function findAttempt(
  state: OrderState | undefined,
  attemptId: string,
): { invoice: InvoiceRecord; attempt: ProviderAttempt } | undefined {
  for (const invoice of state?.invoices ?? []) {
    const attempt = invoice.attempts.find((a) => a.attemptId === attemptId);
    if (attempt) return { invoice, attempt };
  }
  return undefined;
}

function failureOf(p: SendResultPayload) {
  return { code: p.errorCode || "PROVIDER_REJECTED", message: p.errorMessage ?? "" };
}

/** The lookup found nothing: nothing stands under the key, so what waited for that can happen now. */
function onNotFound(b: StepBuilder, state: OrderState, invoice: InvoiceRecord): Outcome {
  switch (invoice.status) {
    case "issuing": {
      const retargeted = retargetToPending(state, invoice);
      const next = retargeted ?? state;
      const record = invoiceBySeq(next, invoice.seq) ?? invoice;
      const note = retargeted
        ? "nothing under the key: retargeted to the pending buyer change, sent"
        : "nothing under the key: sent";
      return { next: beginCall(b, next, record, "send"), note };
    }
    case "issued":
      b.human(
        "CONTRADICTORY_CALLBACK",
        `the provider finds nothing under the key of invoice ${invoice.seq}, which it reported issued`,
      );
      return { next: state, note: "lookup contradicts an issued invoice" };
    default:
      return { next: state, note: `${invoice.status} invoice confirmed not at the provider` };
  }
}

function onAnswer(b: StepBuilder, state: OrderState, invoice: InvoiceRecord, p: SendResultPayload): Outcome {
  const { now } = b.ctx;
  switch (p.outcome) {
    case "rejected": {
      if (invoice.status === "issued") return { next: state, note: "refused, but the key is issued already" };
      if (invoice.status !== "issuing")
        return { next: state, note: `${invoice.status} invoice confirmed not created` };
      if (p.errorCode === INVOICE_DATE_REFUSED) return onDateRefused(b, state, invoice);
      return applyFailed(b, state, invoice, failureOf(p));
    }
    case "not-found":
      return onNotFound(b, state, invoice);
    case "unknown":
      // The provider may still act on the call until the lease is over; then the lease is re-armed
      // once more before a lookup (sends.ts drive).
      if (neededCall(invoice)) {
        wakeUp(b, invoice, Math.max(now, currentAttempt(invoice)?.leaseUntil ?? now), "retry", true);
      }
      return { next: state, note: "outcome unknown: followed up with a lookup after the lease" };
    default:
      // not-sent: certainly nothing created by this call; retried after the issuer's backoff.
      if (neededCall(invoice)) wakeUp(b, invoice, now, "retry", true);
      return { next: state, note: `not sent: ${p.errorCode ?? "no reason given"}` };
  }
}

/**
 * The issuer's report of one provider call, naming its attempt. "issued"/"found" is a fact about
 * the key whichever attempt reports it; any other outcome only counts for the current attempt and
 * only while it is unanswered, so a late or repeated result of an earlier attempt never changes the
 * state of a later one.
 */
export function onSendResult(ctx: DecideContext<"SendResult">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = readPayload(event.payload);
  if (!p) return b.reject("INVALID_EVENT", "SendResult payload is malformed");
  const found = findAttempt(state, p.attemptId);
  if (!state || !found) return b.reject("UNKNOWN_ATTEMPT", `no attempt ${p.attemptId} for the order`);
  const { invoice, attempt } = found;
  const isCurrent = currentAttempt(invoice)?.attemptId === attempt.attemptId;
  const open = isCurrent && isOpen(attempt);

  let next = state;
  let record = invoice;
  if (open) {
    const status = effectiveOutcome(attempt, p.outcome);
    const answered: ProviderAttempt = {
      ...attempt,
      status,
      ...(p.sent?.documentHash ? { documentHash: p.sent.documentHash } : {}),
      ...(p.errorCode ? { error: failureOf(p) } : {}),
    };
    next = replaceAttempt(state, invoice, answered);
    record = invoiceBySeq(next, invoice.seq) ?? invoice;
  }
  if (p.outcome === "issued" || p.outcome === "found") {
    const result = applyIssued(b, next, record, {
      attempt,
      found: p.outcome === "found",
      ...(p.invoiceNo !== undefined ? { invoiceNo: p.invoiceNo } : {}),
      ...(p.series !== undefined ? { series: p.series } : {}),
      ...(p.invoiceDate !== undefined ? { invoiceDate: p.invoiceDate } : {}),
      ...(p.sent ? { sent: p.sent } : {}),
    });
    const changed = result.next !== state || b.effects.length > 0;
    return b.done(result.next, changed ? "applied" : "ignored", result.note);
  }
  if (!open) {
    const why = isCurrent
      ? `already answered (${attempt.status})`
      : `superseded by attempt ${invoice.attempts.length}`;
    return b.done(state, "ignored", `${p.outcome} for attempt ${attempt.attempt}: ${why}`);
  }
  const result = onAnswer(b, next, record, { ...p, outcome: effectiveOutcome(attempt, p.outcome) });
  return b.done(result.next, "applied", result.note);
}
