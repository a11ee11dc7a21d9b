// What an invoice's provider-call history says (pure reads over the state; see sends.ts for the
// decisions made from it).
import type { InvoiceRecord, ProviderAttempt } from "./state.ts";

export function attemptIdOf(transactionUuid: string, attempt: number): string {
  return `${transactionUuid}:${attempt}`;
}

export function currentAttempt(invoice: InvoiceRecord): ProviderAttempt | undefined {
  return invoice.attempts.at(-1);
}

/** No conclusive answer yet: the call may be running, or ended without telling what happened. */
export function isOpen(attempt: ProviderAttempt): boolean {
  return attempt.status === "in-flight" || attempt.status === "unknown";
}

/**
 * Whether the provider may hold an invoice under the key that the machine has not confirmed, after
 * the first `end` attempts: an attempt in flight or ended unknown makes it possible; a send refused
 * for good (after its lookup, when it had one) or a lookup that found nothing rules it out again.
 */
export function mayExistAfter(attempts: readonly ProviderAttempt[], end = attempts.length): boolean {
  let maybe = false;
  for (const a of attempts.slice(0, end)) {
    if (a.status === "in-flight" || a.status === "unknown") maybe = true;
    else if (a.status === "not-found" || a.status === "issued" || a.status === "found") maybe = false;
    // A lookup "rejected" (authorisation) learned nothing, like not-sent.
    else if (a.status === "rejected" && a.kind === "send") maybe = false;
  }
  return maybe;
}

/** The invoice is not known to be at the provider, but may be. */
export function mayExist(invoice: InvoiceRecord): boolean {
  return invoice.status !== "issued" && mayExistAfter(invoice.attempts);
}

/** Another call on the key may be decided at `now`: nothing open, or its re-armed lease is over. */
export function callAllowed(invoice: InvoiceRecord, now: number): boolean {
  const current = currentAttempt(invoice);
  if (!current || !isOpen(current)) return true;
  return current.leaseLapsedAt !== undefined && now >= current.leaseUntil;
}

/** Certainly not at the provider and nothing can put it there: safe to cancel, retarget or abandon. */
export function settledAbsent(invoice: InvoiceRecord): boolean {
  const current = currentAttempt(invoice);
  return invoice.status !== "issued" && !mayExist(invoice) && (!current || !isOpen(current));
}
