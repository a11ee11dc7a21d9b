// The per-decision invariants the property tests assert on every simulated order (not exported from
// the package).
import { expect } from "vitest";
import type { Effect } from "./effects.ts";
import { activeCount, type Simulation } from "./simulate.ts";
import { ORDER_STATUSES } from "./state.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

export const humanCodes = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === "RecordForHuman" ? [e.code] : [])).sort();

const activeSendCount = (effects: Effect[]) =>
  effects.filter(
    (e) =>
      e.type === "IssueInvoice" ||
      e.type === "IssueReplacement" ||
      (e.type === "ResumeIssuance" && e.role !== "adjustment"),
  ).length;

/** The invariants that must hold after every single decision. */
export function checkSteps(sim: Pick<Simulation, "steps">) {
  let issueInvoiceEffects = 0;
  const originalKey = invoiceTransactionUuid("M-1", "ORD-1", 1);
  for (const { before, decision } of sim.steps) {
    expect(activeCount(decision.next)).toBeLessThanOrEqual(1);
    if (decision.duplicate) {
      expect(decision.effects).toEqual([]);
      expect(decision.next).toBe(before);
      continue;
    }
    expect(decision.effects.filter((e) => e.type === "RecordAudit")).toHaveLength(1);
    expect(decision.effects.at(-1)?.type).toBe("RecordAudit");
    expect(activeSendCount(decision.effects)).toBeLessThanOrEqual(1);
    // The guard in decide is a last line of defence: no realistic flow may need it.
    expect(humanCodes(decision.effects)).not.toContain("INVARIANT_VIOLATION");
    for (const effect of decision.effects) {
      if (effect.type === "IssueInvoice") {
        issueInvoiceEffects += 1;
        expect(effect.transactionUuid).toBe(originalKey);
      }
      if (effect.type === "ResumeIssuance" && effect.role === "original") {
        expect(effect.transactionUuid).toBe(originalKey);
      }
    }
    const next = decision.next;
    if (next) {
      expect(ORDER_STATUSES).toContain(next.status);
      if (next.status === "FAILED") expect(next.failure?.code).toBeTruthy();
    }
  }
  // Never a second issuance effect for the order, whatever arrives.
  expect(issueInvoiceEffects).toBeLessThanOrEqual(1);
}
