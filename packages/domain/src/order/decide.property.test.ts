import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeBuyer } from "../buyer.ts";
import type { BuyerInfo, IssuanceEvent } from "../events.ts";
import type { MerchantPolicy } from "./policy.ts";
import { activeCount, arrange, type Simulation, simulate } from "./simulate.ts";
import { effectiveBuyer, ORDER_STATUSES, type OrderState } from "./state.ts";
import { BUYER_B, BUYER_C, BUYER_D, HOUR, payment, refund, replay, request, T0 } from "./test-support.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

const RUNS = { numRuns: 150 };
const buyerArb = fc.constantFrom(BUYER_B, BUYER_C, BUYER_D);
const policyArb: fc.Arbitrary<MerchantPolicy> = fc.record({
  claimWindowMs: fc.constantFrom(0, HOUR),
  buyerChangeAfterIssuance: fc.constantFrom("record" as const, "adjust" as const, "replace" as const),
});
const choicesArb = fc.array(fc.nat({ max: 1_000 }), { minLength: 20, maxLength: 60 });
const keysArb = fc.array(fc.nat({ max: 1_000 }), { minLength: 12, maxLength: 12 });

const norm = (buyer: BuyerInfo) => {
  const result = normalizeBuyer(buyer);
  if (!result.ok) throw new Error("fixture buyer is invalid");
  return result.buyer;
};

/** The invariants that must hold after every single decision. */
function checkSteps(sim: Simulation) {
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

const paidStates = ["ISSUED", "ADJUSTED", "REPLACED", "AWAITING_CLAIM", "FAILED"];

describe("decide under shuffled, duplicated and racing events (property)", () => {
  it("keeps at most one active invoice and ends every paid order issued, awaiting claim or failed with a reason", () => {
    fc.assert(
      fc.property(
        fc.record({
          policy: policyArb,
          paid: fc.boolean(),
          paymentBuyer: fc.option(buyerArb, { nil: undefined }),
          requests: fc.array(
            fc.record({ buyer: buyerArb, offset: fc.integer({ min: -600_000, max: 1_800_000 }) }),
            {
              maxLength: 2,
            },
          ),
          refunds: fc.constantFrom("none", "partial", "full", "partial-then-rest"),
          replays: fc.nat({ max: 2 }),
          duplicate: fc.array(fc.nat({ max: 10 }), { maxLength: 3 }),
          claimPlan: fc.constantFrom("submit" as const, "expire" as const, "race" as const),
          claimBuyer: buyerArb,
          failFirstSend: fc.boolean(),
          keys: keysArb,
          choices: choicesArb,
        }),
        (s) => {
          const events: IssuanceEvent[] = [];
          if (s.paid) events.push(payment(s.paymentBuyer));
          for (const r of s.requests) events.push(request(r.buyer, T0 + r.offset));
          if (s.refunds === "partial") events.push(refund(100_000));
          if (s.refunds === "full") events.push(refund(1_100_000, true));
          if (s.refunds === "partial-then-rest") events.push(refund(100_000), refund(1_000_000));
          for (let i = 0; i < s.replays; i++) events.push(replay());
          for (const d of s.duplicate) {
            const copy = events[d % Math.max(events.length, 1)];
            if (copy) events.push(copy);
          }
          const sim = simulate({
            policy: s.policy,
            externals: arrange(events, s.keys),
            claim: { plan: s.claimPlan, buyer: s.claimBuyer },
            failFirstSend: s.failFirstSend,
            choices: s.choices,
          });
          checkSteps(sim);
          const final = sim.state;
          if (!s.paid) {
            expect(final === undefined || final.status === "REQUESTED").toBe(true);
            return;
          }
          expect(paidStates).toContain(final?.status);
          // This harness always answers every send and resolves every claim, so nothing is left hanging.
          expect(final?.status).not.toBe("AWAITING_CLAIM");
          const fullyRefunded = s.refunds === "full" || s.refunds === "partial-then-rest";
          if (fullyRefunded) {
            const cancelled = final?.failure?.code === "REFUNDED_BEFORE_ISSUANCE";
            const adjusted = final?.invoices.some((i) => i.reason?.kind === "refund");
            expect(cancelled || adjusted).toBe(true);
          } else {
            expect(final?.invoices.some((i) => i.role === "original" && i.status === "issued")).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it("payment before request and the reverse give the same outcome", () => {
    fc.assert(
      fc.property(
        fc.option(buyerArb, { nil: undefined }),
        buyerArb,
        fc.integer({ min: 1, max: 600_000 }),
        fc.boolean(),
        keysArb,
        keysArb,
        choicesArb,
        choicesArb,
        (paymentBuyer, requestBuyer, gap, duplicate, keysA, keysB, choicesA, choicesB) => {
          // Checkout sends the request before the payment completes; when both carry a buyer the
          // payment's is the newer and wins, whichever arrives first.
          const events = [payment(paymentBuyer, { occurredAt: T0 }), request(requestBuyer, T0 - gap)];
          if (duplicate) events.push(events[0] as IssuanceEvent);
          const outcome = (keys: number[], choices: number[]) => {
            const sim = simulate({
              policy: { claimWindowMs: HOUR, buyerChangeAfterIssuance: "record" },
              externals: arrange(events, keys),
              claim: { plan: "expire", buyer: BUYER_B, deferExpiry: true },
              failFirstSend: false,
              choices,
            });
            checkSteps(sim);
            return summarize(sim.state);
          };
          const a = outcome(keysA, choicesA);
          expect(outcome(keysB, choicesB)).toEqual(a);
          expect(a.buyer).toEqual(norm(paymentBuyer ?? requestBuyer));
          expect(a.status).toBe("ISSUED");
        },
      ),
      RUNS,
    );
  });

  it("claim submitted vs. expiry racing: the buyer who claimed in time ends up on the invoice (or with a human)", () => {
    fc.assert(
      fc.property(
        buyerArb,
        fc.constantFrom("record" as const, "adjust" as const, "replace" as const),
        choicesArb,
        (claimBuyer, buyerChangeAfterIssuance, choices) => {
          const sim = simulate({
            policy: { claimWindowMs: HOUR, buyerChangeAfterIssuance },
            externals: [payment()],
            claim: { plan: "race", buyer: claimBuyer },
            failFirstSend: false,
            choices,
          });
          checkSteps(sim);
          const final = sim.state as OrderState;
          const onInvoice = JSON.stringify(effectiveBuyer(final)) === JSON.stringify(norm(claimBuyer));
          const surfaced = sim.effects.some(
            (e) => e.type === "RecordForHuman" && e.code === "LATE_BUYER_CHANGE",
          );
          if (buyerChangeAfterIssuance === "record") expect(onInvoice || surfaced).toBe(true);
          else expect(onInvoice).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

function summarize(state: OrderState | undefined) {
  return {
    status: state?.status,
    buyer: state ? effectiveBuyer(state) : undefined,
    invoices: state?.invoices.map((i) => ({ seq: i.seq, role: i.role, status: i.status, buyer: i.buyer })),
  };
}
