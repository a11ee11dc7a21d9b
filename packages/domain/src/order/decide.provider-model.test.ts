// Issue 8, model-based: `decide` driven through random sequences by an issuer that follows the
// contract, against a provider that delays, loses, duplicates and reorders results, with crashes,
// replays and two issuer clocks that disagree (provider-world.ts). After a last phase with a
// healthy provider and an operator's replays, the provider's holdings are compared with the
// machine's view.
//
// Default: a budgeted number of runs (PROPERTY_RUNS overrides it; tens of thousands on demand:
// PROPERTY_RUNS=30000 pnpm vitest run --project unit packages/domain/src/order/decide.provider-model.test.ts).

import { propertyRuns } from "@invoice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeBuyer, sameBuyer } from "../buyer.ts";
import { type BuyerInfo, INVOICE_DATE_REFUSED, type IssuanceEvent } from "../events.ts";
import { vietnamDateOf } from "../local-date.ts";
import { mayExist } from "./attempts.ts";
import type { MerchantPolicy } from "./policy.ts";
import { checkSteps, humanCodes } from "./property-checks.ts";
import { type Faults, NO_FAULTS, World } from "./provider-world.ts";
import { activeInvoice, type OrderState, refundedSoFar } from "./state.ts";
import {
  BUYER_B,
  BUYER_C,
  BUYER_D,
  ev,
  HOUR,
  PAID,
  payment,
  refund,
  replay,
  request,
  T0,
} from "./test-support.ts";

const RUNS = propertyRuns(500);
/** The default budget takes a few seconds; the margin covers a busy 2-core machine and PROPERTY_RUNS. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 40);
const MINUTE = 60_000;

const norm = (buyer: BuyerInfo) => {
  const result = normalizeBuyer(buyer);
  if (!result.ok) throw new Error("fixture buyer is invalid");
  return result.buyer;
};

const rate = fc.constantFrom(0, 0, 0.05, 0.15, 0.35);
const faultsArb: fc.Arbitrary<Faults> = fc.record({
  refused: rate,
  rejected: fc.constantFrom(0, 0, 0.1),
  slow: rate,
  dropped: rate,
  reset: rate,
  crash: rate,
  duplicate: rate,
  late: rate,
  asyncNumber: rate,
  failedNotice: rate,
});
const buyerArb = fc.constantFrom(BUYER_B, BUYER_C, BUYER_D);
const timeArb = (min: number, max: number) => fc.integer({ min, max });
const scenarioArb = fc.record({
  /** Where in the day the order's story starts: T0 is 10:00 in Hanoi, +13h50m is 23:50 (midnight races). */
  start: fc.constantFrom(0, 0, 13 * HOUR + 50 * MINUTE, 13 * HOUR + 59 * MINUTE),
  /** Other orders keep the series busy: a send dated before today (true time) is refused for its date. */
  busySeries: fc.boolean(),
  policy: fc.record({
    claimWindowMs: fc.constantFrom(0, HOUR),
    buyerChangeAfterIssuance: fc.constantFrom("record" as const, "adjust" as const, "replace" as const),
    refundAfterIssuance: fc.constantFrom("adjust" as const, "adjust" as const, "record" as const),
  }),
  skewB: fc.constantFrom(0, -HOUR, HOUR, -30_000, 30_000),
  faults: faultsArb,
  paymentBuyer: fc.option(buyerArb, { nil: undefined }),
  paidAt: timeArb(0, 10 * MINUTE),
  requests: fc.array(fc.record({ buyer: buyerArb, at: timeArb(-5 * MINUTE, 40 * MINUTE) }), { maxLength: 2 }),
  claim: fc.option(fc.record({ buyer: buyerArb, after: timeArb(0, 70 * MINUTE) }), { nil: undefined }),
  expiryEarlyBy: fc.constantFrom(0, 0, 2 * MINUTE),
  refunds: fc.constantFrom("none", "none", "partial", "full", "partial-then-rest"),
  refundAt: timeArb(-5 * MINUTE, 3 * HOUR),
  replays: fc.array(timeArb(MINUTE, 3 * HOUR), { maxLength: 2 }),
  redeliver: fc.array(fc.nat({ max: 9 }), { maxLength: 3 }),
  seed: fc.integer(),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** A small deterministic generator (mulberry32), so a failing run replays from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function externals(s: Scenario): [number, IssuanceEvent][] {
  const paidAt = T0 + s.start + s.paidAt;
  const out: [number, IssuanceEvent][] = [[paidAt, payment(s.paymentBuyer, { paidAt })]];
  for (const r of s.requests) out.push([Math.max(T0, paidAt + r.at), request(r.buyer, paidAt + r.at)]);
  const at = Math.max(T0, paidAt + s.refundAt);
  if (s.refunds === "partial") out.push([at, refund(100_000, false, "r-part", at)]);
  if (s.refunds === "full") out.push([at, refund(PAID, true, "r-full", at)]);
  if (s.refunds === "partial-then-rest") {
    out.push(
      [at, refund(100_000, false, "r-part", at)],
      [at + 20 * MINUTE, refund(PAID - 100_000, true, "r-rest", at + 20 * MINUTE)],
    );
  }
  for (const t of s.replays) out.push([paidAt + t, replay()]);
  for (const i of s.redeliver) {
    const copy = out[i % out.length];
    if (copy) out.push([copy[0] + 5 * MINUTE, copy[1]]);
  }
  return out;
}

/** Work the machine still owes the provider: what the operator's replays of the last phase resolve. */
function unresolved(state: OrderState | undefined): boolean {
  if (!state?.payment) return false;
  if (state.claim?.status === "open") return true;
  return state.invoices.some(
    (i) =>
      i.status === "issuing" ||
      i.status === "failed" ||
      (i.status === "issued" && i.invoiceNo === undefined) ||
      ((i.status === "cancelled" || i.status === "abandoned") && mayExist(i)),
  );
}

/** What still waits for an event when none is coming: a liveness failure (a lost wake-up, say). */
function stuck(state: OrderState | undefined): string[] {
  const waiting = (state?.invoices ?? [])
    .filter((i) => i.status === "issuing")
    .map((i) => `invoice ${i.seq} issuing, attempt ${JSON.stringify(i.attempts.at(-1))}`);
  return state?.claim?.status === "open" ? [...waiting, "claim still open"] : waiting;
}

function play(s: Scenario) {
  const policy: MerchantPolicy = s.policy;
  const world = new World({
    policy,
    faults: s.faults,
    skewB: s.skewB,
    timeoutMs: 60_000,
    retryBudget: 4,
    random: prng(s.seed),
    paidVnd: PAID,
    busySeries: s.busySeries,
    onClaim: (claim, w) => {
      if (s.claim) {
        const at = T0 + s.start + s.paidAt + s.claim.after;
        w.deliver(
          at,
          ev("ClaimSubmitted", { claimToken: claim.claimToken, buyer: s.claim.buyer }, { occurredAt: at }),
        );
      }
      // The expiry worker, sometimes early (its clock is ahead).
      w.deliver(
        claim.deadline - s.expiryEarlyBy,
        ev("ClaimExpired", { claimToken: claim.claimToken }, { occurredAt: claim.deadline }),
      );
    },
  });
  for (const [at, event] of externals(s)) world.deliver(at, event);
  expect(world.run(3_000)).toBe(true);
  // Nothing left to happen: no invoice may still be waiting to be issued and no claim still open.
  // Only an operator can move a FAILED invoice on, but nothing else may need the replays below.
  expect(stuck(world.state)).toEqual([]);
  // The last phase: a healthy provider, and an operator replaying until nothing is owed.
  world.faults = NO_FAULTS;
  for (let i = 0; i < 8 && unresolved(world.state); i++) {
    world.retriesUsed.clear();
    world.deliver(world.now + HOUR, replay());
    expect(world.run(3_000)).toBe(true);
  }
  return world;
}

describe("the machine's view matches what the provider holds (provider model)", () => {
  it(
    "no key issued twice, every held invoice known with its buyer and amount, refunded sales offset, each refund adjusted once",
    () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const world = play(s);
          const state = world.state as OrderState;
          checkSteps({ steps: world.decisions.map((d) => ({ ...d })) });
          const humans = humanCodes(world.decisions.flatMap((d) => d.decision.effects));
          // Drift signals: never raised in a world the contract is followed in.
          expect(humans).not.toContain("CONTRADICTORY_CALLBACK");
          expect(humans).not.toContain("INVARIANT_VIOLATION");
          // An invoice is reported failed only on the provider's refusal of the current call or when
          // the issuer's retries ran out, never on a notice that names no attempt.
          const failedBy = world.decisions
            .filter((d) =>
              d.decision.effects.some(
                (e) => e.type === "PublishInvoiceEvent" && e.event.type === "InvoiceFailed",
              ),
            )
            .map((d) =>
              d.event.type === "SendResult" ? `SendResult:${d.event.payload.outcome}` : d.event.type,
            );
          for (const cause of failedBy)
            expect(["SendResult:rejected", "SendRetriesExhausted"]).toContain(cause);
          // A refusal for the date is never the reason an invoice fails: it is dated again and sent.
          const failedForDate = world.decisions.filter(
            (d) =>
              d.event.type === "SendResult" &&
              d.event.payload.errorCode === INVOICE_DATE_REFUSED &&
              d.decision.effects.some(
                (e) => e.type === "PublishInvoiceEvent" && e.event.type === "InvoiceFailed",
              ),
          );
          expect(failedForDate).toEqual([]);
          // The order's invoices at the provider never go backwards in date (its series' rule), and
          // none is dated before the sale.
          const dates = [...world.held].sort((a, b) => a.createdAt - b.createdAt).map((h) => h.invoiceDate);
          expect(dates).toEqual([...dates].sort());
          const saleDate = vietnamDateOf(T0 + s.start + s.paidAt);
          for (const date of dates) expect(date >= saleDate).toBe(true);

          // No two sends of one key at the provider at the same time, and so no key issued twice.
          expect(world.overlaps).toEqual([]);
          const keys = [...new Set(world.held.map((h) => h.transactionUuid))];
          for (const key of keys) expect(world.heldFor(key)).toHaveLength(1);

          // Everything the provider holds is known to the machine as issued, with the same buyer,
          // amount and number; nothing the machine calls issued is missing at the provider.
          expect(unresolved(state)).toBe(false);
          for (const held of world.held) {
            const invoice = state.invoices.find((i) => i.transactionUuid === held.transactionUuid);
            expect(invoice?.status).toBe("issued");
            expect(invoice && sameBuyer(invoice.buyer, held.buyer)).toBe(true);
            expect(invoice?.invoiceNo).toBe(held.invoiceNo);
            const amount =
              invoice?.role === "adjustment"
                ? invoice.reason?.kind === "refund"
                  ? invoice.reason.amountVnd
                  : 0
                : state.payment?.amountVnd;
            expect(amount).toBe(held.amountVnd);
          }
          for (const invoice of state.invoices.filter((i) => i.status === "issued")) {
            expect(world.heldFor(invoice.transactionUuid)).toHaveLength(1);
            expect(invoice.invoiceDate).toBe(world.heldFor(invoice.transactionUuid)[0]?.invoiceDate);
          }
          // invoice.events tells the same story: InvoiceIssued for every invoice the provider holds,
          // with its number and date, and for nothing else.
          const announced = world.decisions.flatMap((d) =>
            d.decision.effects.flatMap((e) =>
              e.type === "PublishInvoiceEvent" && e.event.type === "InvoiceIssued" ? [e.event.payload] : [],
            ),
          );
          for (const a of announced) {
            const held = world.heldFor(a.transactionUuid);
            expect(held.map((h) => [h.invoiceNo, h.invoiceDate])).toEqual([[a.invoiceNo, a.invoiceDate]]);
          }
          for (const held of world.held) {
            expect(announced.some((a) => a.transactionUuid === held.transactionUuid)).toBe(true);
          }

          // Each refund adjusted once at the provider (or handed to a human by policy), and a sale
          // refunded in full keeps no standing invoice.
          const sold = world.held.some((h) => h.type !== "IssueAdjustment");
          for (const r of state.refunds) {
            const adjustments = world.held.filter((h) => h.refundId === r.refundId);
            if (!sold) expect(adjustments).toEqual([]);
            else if (s.policy.refundAfterIssuance === "record") expect(adjustments).toEqual([]);
            else expect(adjustments).toHaveLength(1);
          }
          if (sold && s.policy.refundAfterIssuance === "record" && state.refunds.length > 0) {
            expect(humans).toContain("REFUND_AFTER_ISSUANCE");
          }
          if (
            state.payment &&
            refundedSoFar(state) === state.payment.amountVnd &&
            s.policy.refundAfterIssuance !== "record"
          ) {
            const standing = world.held.filter((h) => h.type !== "IssueAdjustment").length > 0 ? PAID : 0;
            const refunded = world.held.reduce((sum, h) => sum + (h.refundId ? h.amountVnd : 0), 0);
            expect(standing - refunded).toBe(0);
          }

          // Every paid order ends invoiced, or failed with a reason (refunded before issuance).
          if (state.payment && refundedSoFar(state) < state.payment.amountVnd) {
            expect(["ISSUED", "ADJUSTED", "REPLACED"]).toContain(state.status);
            expect(activeInvoice(state)?.status).toBe("issued");
            if (s.paymentBuyer && s.requests.length === 0 && !s.claim) {
              expect(activeInvoice(state)?.buyer).toEqual(norm(s.paymentBuyer));
            }
          } else if (state.status === "FAILED") {
            expect(state.failure?.code).toBe("REFUNDED_BEFORE_ISSUANCE");
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
