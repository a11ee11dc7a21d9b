// The per-decision invariants the property tests assert on every simulated order (not exported from
// the package). Checked in plain code and asserted once per run: thousands of `expect` calls per run
// would cost more than the machine itself.
import { expect } from "vitest";
import type { Effect } from "./effects.ts";
import { activeCount, type Simulation } from "./simulate.ts";
import { ORDER_STATUSES } from "./state.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

export const humanCodes = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === "RecordForHuman" ? [e.code] : [])).sort();

const activeSendCount = (effects: Effect[]) =>
  effects.filter((e) => e.type === "IssueInvoice" || e.type === "IssueReplacement").length;

const STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);

/** What is wrong with one decision, if anything. */
function stepProblems(step: Simulation["steps"][number], originalKey: string): string[] {
  const { before, decision, event } = step;
  const at = `${event.type} ${event.eventId}`;
  const problems: string[] = [];
  if (activeCount(decision.next) > 1) problems.push(`${at}: more than one active invoice`);
  if (decision.effects.some((e) => e.type === "Reject") && decision.next !== before) {
    problems.push(`${at}: a rejected event changed the state`);
  }
  const audits = decision.effects.filter((e) => e.type === "RecordAudit").length;
  if (audits !== 1 || decision.effects.at(-1)?.type !== "RecordAudit") {
    problems.push(`${at}: ${audits} audit records, last effect ${decision.effects.at(-1)?.type}`);
  }
  if (activeSendCount(decision.effects) > 1) problems.push(`${at}: two original/replacement sends`);
  // The guard in decide is a last line of defence: no realistic flow may need it.
  if (humanCodes(decision.effects).includes("INVARIANT_VIOLATION")) {
    const audit = decision.effects.at(-1);
    problems.push(`${at}: INVARIANT_VIOLATION ${audit?.type === "RecordAudit" ? audit.audit.note : ""}`);
  }
  for (const effect of decision.effects) {
    if (effect.type === "IssueInvoice" && effect.transactionUuid !== originalKey) {
      problems.push(`${at}: IssueInvoice under another key`);
    }
  }
  const next = decision.next;
  if (next && !STATUSES.has(next.status)) problems.push(`${at}: unknown status ${next.status}`);
  if (next?.status === "FAILED" && !next.failure?.code) problems.push(`${at}: FAILED without a reason`);
  return problems;
}

/** The invariants that must hold after every single decision. */
export function checkSteps(sim: Pick<Simulation, "steps">) {
  const originalKey = invoiceTransactionUuid("M-1", "ORD-1", 1);
  const problems = sim.steps.flatMap((step) => stepProblems(step, originalKey));
  // Never a second original for the order, whatever arrives: resends are later attempts of its key.
  const originals = sim.steps
    .flatMap((s) => s.decision.effects)
    .filter((e) => e.type === "IssueInvoice" && e.attempt === 1).length;
  if (originals > 1) problems.push(`${originals} first attempts of the original`);
  expect(problems).toEqual([]);
}
