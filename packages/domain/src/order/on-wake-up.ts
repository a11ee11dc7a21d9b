import { currentAttempt, isOpen, mayExist } from "./attempts.ts";
import { applyExpiry } from "./on-claim-expired.ts";
import { findAttempt, refusedForDate } from "./on-send-result.ts";
import { optionalStrings } from "./payload-checks.ts";
import { applyFailed } from "./provider-results.ts";
import { drive, wakeUp } from "./sends.ts";
import type { OrderState } from "./state.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

/** A deferred claim expiry whose deadline has come is applied by whatever decision sees it first. */
function dueExpiry(b: StepBuilder, state: OrderState, reason: string): OrderState | undefined {
  const claim = state.claim;
  if (claim?.status !== "open" || !claim.expiryDeferred) return undefined;
  if (b.ctx.now >= claim.deadline) return applyExpiry(b, state);
  // Woken early by the deciding clock (it is behind the one that scheduled it): ask again.
  if (reason === "claim-deadline") {
    wakeUp(b, undefined, claim.deadline, "claim-deadline", false);
  }
  return undefined;
}

/**
 * Time to look again. With an attempt id (a ScheduleWakeUp fell due): the invoice whose current
 * attempt that is moves on as far as its lease allows; a wake-up for an attempt that is no longer
 * current is stale and does nothing (the later attempt has its own). Without one (`claim-deadline`,
 * `recovery` after a record was delivered again): a deferred claim expiry that is due is applied, and
 * every invoice with a call still open gets its lease checked, since the process that made the call
 * may have died with it; a recovery also gives every invoice that still needs a call (after a send
 * not made, a lookup that found nothing, a number missing) its next one, since the wake-up that
 * would have asked for it may have died with the process too. Failed invoices wait for a replay.
 */
export function onWakeUp(ctx: DecideContext<"WakeUp">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = event.payload;
  if (!p || typeof p.reason !== "string" || (p.attemptId !== undefined && typeof p.attemptId !== "string")) {
    return b.reject("INVALID_EVENT", "WakeUp payload is malformed");
  }
  if (!state) return b.reject("UNKNOWN_ATTEMPT", "wake-up for an order without state");
  const notes: string[] = [];
  let next = state;
  const expired = dueExpiry(b, next, p.reason);
  if (expired) {
    next = expired;
    notes.push("deferred claim expiry applied: anonymous retail buyer");
  }
  if (p.attemptId !== undefined) {
    const found = findAttempt(next, p.attemptId);
    if (!found) return b.reject("UNKNOWN_ATTEMPT", `no attempt ${p.attemptId} for the order`);
    if (currentAttempt(found.invoice)?.attemptId !== p.attemptId) {
      notes.push(
        `stale wake-up: attempt ${found.attempt.attempt} of invoice ${found.invoice.seq} is superseded`,
      );
    } else {
      const result = drive(b, next, found.invoice);
      next = result.state;
      notes.push(result.note ?? `invoice ${found.invoice.seq} (${found.invoice.status}) needs nothing now`);
    }
  } else {
    // A recovery also moves invoices whose last call ended without settling them (a send not made,
    // a lookup that found nothing, a number still missing): their follow-up is a wake-up record the
    // issuer produces after committing the result, and a process that died in between took it with
    // it — the redelivery that brings this recovery is then the only trace left, and without this
    // the order would stay ISSUING for ever (chaos SIGKILL scenario on a loaded machine).
    const resumeSettled = p.reason === "recovery";
    for (const invoice of next.invoices) {
      const current = currentAttempt(invoice);
      if (!current || (!isOpen(current) && !resumeSettled)) continue;
      const fresh = next.invoices.find((i) => i.seq === invoice.seq) ?? invoice;
      const result = drive(b, next, fresh);
      next = result.state;
      if (result.note) notes.push(result.note);
    }
  }
  const acted = next !== state || b.effects.length > 0;
  return b.done(next, acted ? "applied" : "ignored", notes.join("; ") || `${p.reason}: nothing to do`);
}

/**
 * The issuer's retry policy gave up on an attempt's follow-ups. An invoice still to be created is
 * FAILED with the reason (published; a human is asked to look when the provider may hold it). A
 * cancelled or abandoned invoice whose lookups ran out, or an issued one still without its number,
 * goes to a human. A replay (or DLQ re-publish) resumes it, with a lookup first.
 */
export function onSendRetriesExhausted(ctx: DecideContext<"SendRetriesExhausted">): Step {
  const b = new StepBuilder(ctx);
  const { state, event } = ctx;
  const p = event.payload;
  if (
    typeof p !== "object" ||
    p === null ||
    typeof p.attemptId !== "string" ||
    !optionalStrings(p, ["errorCode", "errorMessage"]) ||
    (p.retries !== undefined && !Number.isSafeInteger(p.retries))
  )
    return b.reject("INVALID_EVENT", "SendRetriesExhausted payload is malformed");
  const found = findAttempt(state, p.attemptId);
  if (!state || !found) return b.reject("UNKNOWN_ATTEMPT", `no attempt ${p.attemptId} for the order`);
  const { invoice, attempt } = found;
  if (currentAttempt(invoice)?.attemptId !== attempt.attemptId) {
    return b.done(state, "ignored", `attempt ${attempt.attempt} is superseded`);
  }
  // Follow-ups of an attempt not sent, or refused only for its date, can run out (ADR 0020).
  if (!isOpen(attempt) && attempt.status !== "not-sent" && !refusedForDate(attempt)) {
    return b.done(state, "ignored", `attempt ${attempt.attempt} already answered (${attempt.status})`);
  }
  const why = `${p.retries} calls, last ${p.errorCode || "error"}: ${p.errorMessage ?? ""}`.trim();
  switch (invoice.status) {
    case "issuing": {
      const result = applyFailed(b, state, invoice, { code: "RETRIES_EXHAUSTED", message: why });
      return b.done(result.next, "applied", result.note);
    }
    case "cancelled":
    case "abandoned":
      if (!mayExist(invoice)) return b.done(state, "ignored", `${invoice.status} invoice needs nothing`);
      b.human(
        "SEND_OUTCOME_UNKNOWN",
        `lookups of ${invoice.status} invoice ${invoice.seq} (${invoice.transactionUuid}) ran out: the provider may hold it; a replay looks again`,
      );
      return b.done(state, "recorded", why);
    case "issued":
      b.human(
        "INVOICE_NUMBER_MISSING",
        `invoice ${invoice.seq} is issued but its number could not be looked up (${why})`,
      );
      return b.done(state, "recorded", why);
    default:
      return b.done(state, "ignored", `invoice ${invoice.seq} is ${invoice.status}`);
  }
}
