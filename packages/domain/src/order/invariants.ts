import { attemptIdOf, isOpen, mayExistAfter } from "./attempts.ts";
import { type Effect, isProviderEffect } from "./effects.ts";
import { type InvoiceRecord, isActive, type OrderState, type ProviderAttempt } from "./state.ts";

/** Effects that put an original or replacement invoice (one that can be the active one) on its way. */
function activeSends(
  effects: readonly Effect[],
): Extract<Effect, { type: "IssueInvoice" | "IssueReplacement" }>[] {
  return effects.flatMap((e) => (e.type === "IssueInvoice" || e.type === "IssueReplacement" ? [e] : []));
}

/**
 * The provider-call rules, checked on an invoice's whole attempt history:
 * - attempts are numbered 1, 2, ... with ids derived from the key;
 * - a call follows the previous one only once that one is conclusive, or its re-armed lease is over
 *   (at most one call of a key in flight);
 * - while an earlier call may have created the invoice, the next call is a lookup or looks up first
 *   (an unknown outcome is resolved before anything else happens to the invoice);
 * - nothing is sent again once the provider holds the invoice.
 */
function historyProblem(invoice: InvoiceRecord): string | undefined {
  let maybe = false;
  let created = false;
  let previous: ProviderAttempt | undefined;
  for (const [i, a] of invoice.attempts.entries()) {
    if (a.attempt !== i + 1 || a.attemptId !== attemptIdOf(invoice.transactionUuid, i + 1)) {
      return `invoice ${invoice.seq}: attempt ${i + 1} is numbered ${a.attempt} (${a.attemptId})`;
    }
    if (
      previous &&
      isOpen(previous) &&
      !(previous.leaseLapsedAt !== undefined && a.startedAt >= previous.leaseUntil)
    ) {
      return `invoice ${invoice.seq}: attempt ${a.attempt} started while attempt ${previous.attempt} was in flight`;
    }
    if (a.kind === "send" && maybe && !a.lookupFirst) {
      return `invoice ${invoice.seq}: attempt ${a.attempt} sends without a lookup after an unknown outcome`;
    }
    if (a.kind === "send" && created) {
      return `invoice ${invoice.seq}: attempt ${a.attempt} sends an invoice the provider already holds`;
    }
    maybe = mayExistAfter([a], 1) || (maybe && !settles(a));
    created ||= a.status === "issued" || a.status === "found";
    previous = a;
  }
  return undefined;
}

/** An attempt whose answer rules out an invoice under the key that an earlier one may have made. */
function settles(a: ProviderAttempt): boolean {
  return (
    a.status === "not-found" ||
    a.status === "issued" ||
    a.status === "found" ||
    (a.status === "rejected" && a.kind === "send")
  );
}

/** Every provider effect starts a new last attempt of its invoice, at most one per key. */
function providerEffectProblem(
  before: OrderState | undefined,
  next: OrderState | undefined,
  effects: readonly Effect[],
): string | undefined {
  const keys = new Set<string>();
  for (const effect of effects) {
    if (!isProviderEffect(effect)) continue;
    if (keys.has(effect.transactionUuid))
      return `decision calls the provider twice for invoice ${effect.invoiceSeq}`;
    keys.add(effect.transactionUuid);
    const invoice = next?.invoices.find((i) => i.transactionUuid === effect.transactionUuid);
    const last = invoice?.attempts.at(-1);
    const known =
      before?.invoices.find((i) => i.transactionUuid === effect.transactionUuid)?.attempts.length ?? 0;
    if (!last || last.attemptId !== effect.attemptId || last.attempt !== known + 1) {
      return `effect ${effect.type} ${effect.attemptId} is not the new current attempt of invoice ${effect.invoiceSeq}`;
    }
  }
  return undefined;
}

/**
 * The last check before a decision leaves `decide`: at most one active invoice in the next state, at
 * most one effect sending an original/replacement, never a second original, every such send is for
 * the invoice the next state holds active, and every invoice's provider calls keep the lease and
 * lookup rules. Returns what is wrong, or undefined.
 */
export function invariantProblem(
  before: OrderState | undefined,
  next: OrderState | undefined,
  effects: readonly Effect[],
): string | undefined {
  const active = next ? next.invoices.filter(isActive) : [];
  if (active.length > 1) {
    return `decision would leave ${active.length} active invoices (${active.map((i) => i.seq).join(", ")})`;
  }
  for (const invoice of next?.invoices ?? []) {
    const problem = historyProblem(invoice);
    if (problem) return problem;
  }
  const callProblem = providerEffectProblem(before, next, effects);
  if (callProblem) return callProblem;
  const sends = activeSends(effects);
  if (sends.length > 1) return `decision would send ${sends.length} original/replacement invoices at once`;
  const send = sends[0];
  if (!send) return undefined;
  if (
    send.type === "IssueInvoice" &&
    send.attempt === 1 &&
    before?.invoices.some((i) => i.role === "original")
  ) {
    return "decision would issue a second original invoice";
  }
  if (active[0]?.seq !== send.invoiceSeq) {
    return `decision sends invoice ${send.invoiceSeq}, which is not the order's active invoice`;
  }
  return undefined;
}
