import type { ProviderCallbackPayload } from "../events.ts";
import { currentAttempt, isOpen } from "./attempts.ts";
import { optionalStrings, withoutNulls } from "./payload-checks.ts";
import { applyIssued } from "./provider-results.ts";
import { drive } from "./sends.ts";
import { type DecideContext, type Step, StepBuilder } from "./step.ts";

function readCallback(raw: ProviderCallbackPayload | undefined): ProviderCallbackPayload | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const p = withoutNulls(raw);
  const wellFormed =
    typeof p.transactionUuid === "string" &&
    (p.outcome === "issued" || p.outcome === "failed") &&
    optionalStrings(p, ["invoiceNo", "errorCode", "errorMessage"]);
  return wellFormed ? p : undefined;
}

/**
 * The provider's own notice about a key (asynchronous numbering, through ingest), matched by
 * transactionUuid. It names no attempt, so it may only add knowledge:
 * - "issued" is a fact about the key: recorded (number filled in when it was missing);
 * - "failed" cannot be tied to the current attempt and never fails it. While a call is inside its
 *   lease its own result decides; otherwise the safe answer is to follow the invoice up — a lookup
 *   first, exactly as a wake-up would.
 */
export function onProviderCallback(ctx: DecideContext<"ProviderCallback">): Step {
  const b = new StepBuilder(ctx);
  const { state, event, now } = ctx;
  const p = readCallback(event.payload);
  if (!p) return b.reject("INVALID_EVENT", "ProviderCallback payload is malformed");
  const record = state?.invoices.find((i) => i.transactionUuid === p.transactionUuid);
  if (!state || !record) return b.reject("UNKNOWN_TRANSACTION", "no invoice of this order has that key");
  if (p.outcome === "issued") {
    const result = applyIssued(b, state, record, p.invoiceNo ? { invoiceNo: p.invoiceNo } : {});
    const changed = result.next !== state || b.effects.length > 0;
    return b.done(result.next, changed ? "applied" : "ignored", result.note);
  }
  if (record.status === "issued")
    return b.done(state, "ignored", "stale failure for an invoice already issued");
  if (record.status === "failed") return b.done(state, "ignored", "failed invoice: a replay resumes it");
  const current = currentAttempt(record);
  if (current && isOpen(current) && now < current.leaseUntil) {
    return b.done(
      state,
      "ignored",
      `failure not tied to an attempt; attempt ${current.attempt} is in flight and decides`,
    );
  }
  const result = drive(b, state, record);
  if (!result.note) return b.done(state, "ignored", "failure for an invoice that needs nothing");
  return b.done(result.state, "applied", `provider reports a failure not tied to an attempt: ${result.note}`);
}
