import type { Effect } from "./effects.ts";
import { isActive, type OrderState } from "./state.ts";

/**
 * A handler found the order in a shape the machine's own rules should have made impossible (a
 * correction without an issued invoice, a second original). `decide` turns it into a case for a
 * human instead of throwing, because the event itself is well-formed: throwing would park the order's
 * partition in the retry path for ever.
 */
export class MachineInvariantError extends Error {
  readonly code = "MACHINE_INVARIANT";
}

/** Effects that put an original or replacement invoice (one that can be the active one) on its way. */
function activeSends(
  effects: readonly Effect[],
): Extract<Effect, { type: "IssueInvoice" | "IssueReplacement" | "ResumeIssuance" }>[] {
  return effects.flatMap((e) =>
    e.type === "IssueInvoice" ||
    e.type === "IssueReplacement" ||
    (e.type === "ResumeIssuance" && e.role !== "adjustment")
      ? [e]
      : [],
  );
}

/**
 * The last check before a decision leaves `decide`: at most one active invoice in the next state, at
 * most one effect sending an original/replacement, never a second original, and every such send is
 * for the invoice the next state holds active. Returns what is wrong, or undefined.
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
  const sends = activeSends(effects);
  if (sends.length > 1) return `decision would send ${sends.length} original/replacement invoices at once`;
  const send = sends[0];
  if (!send) return undefined;
  if (send.type === "IssueInvoice" && before?.invoices.some((i) => i.role === "original")) {
    return "decision would issue a second original invoice";
  }
  if (active[0]?.seq !== send.invoiceSeq) {
    return `decision sends invoice ${send.invoiceSeq}, which is not the order's active invoice`;
  }
  return undefined;
}
