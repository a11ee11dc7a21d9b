// Corrections after issuance: failed replacements, follow-up corrections, refunds around them, the
// invariant guard. Deterministic reproductions of review findings 1, 7, 8 and 14.
import { describe, expect, it } from "vitest";
import { ABANDONED_FOR_CORRECTION } from "./corrections.ts";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { effectiveBuyer, invoiceBySeq, isActive, type OrderState } from "./state.ts";
import {
  ADJUST,
  auditOf,
  BUYER_B,
  BUYER_C,
  BUYER_D,
  build,
  callback,
  expireClaim,
  freshIds,
  HOUR,
  issued,
  keyOfSeq,
  must,
  NOW,
  payment,
  RECORD,
  REPLACE,
  refund,
  rejected,
  replay,
  replayPastLeases,
  request,
  summary,
  T0,
} from "./test-support.ts";

const activeSeqs = (s: OrderState | undefined) => (s ? s.invoices.filter(isActive).map((i) => i.seq) : []);
const ofType = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

/** Issued to B; a replacement to C failed (the original stands again); D then asked. */
const replacementFailedThenD = () =>
  build(
    [
      () => payment(BUYER_B),
      (s) => issued(s, 1),
      () => request(BUYER_C, T0 + 5_000),
      (s) => rejected(s, 2),
      () => request(BUYER_D, T0 + 6_000),
    ],
    REPLACE,
  );

describe("a failed replacement and a newer correction (finding 1)", () => {
  it("starting the new replacement abandons the failed one, so a replay resumes only the new one", () => {
    const state = must(replacementFailedThenD());
    expect(invoiceBySeq(state, 2)).toMatchObject({ status: "abandoned", abandonedForSeq: 3 });
    expect(activeSeqs(state)).toEqual([3]);
    const d = replayPastLeases(state, REPLACE);
    expect(
      ofType(d.effects, "IssueReplacement").map((e) => [e.invoiceSeq, e.attempt, e.lookupFirst]),
    ).toEqual([[3, 2, true]]);
    expect(activeSeqs(d.next)).toEqual([3]);
  });

  it("publishes the abandonment so consumers stop waiting for the failed replacement", () => {
    const before = build(
      [
        () => payment(BUYER_B),
        (s) => issued(s, 1),
        () => request(BUYER_C, T0 + 5_000),
        (s) => rejected(s, 2),
      ],
      REPLACE,
    );
    const d = decide(before, request(BUYER_D, T0 + 6_000), NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual([
      "Publish:IssuanceCancelled",
      "IssueReplacement",
      "Publish:CorrectionStarted",
    ]);
    const cancelled = d.effects.find(
      (e) => e.type === "PublishInvoiceEvent" && e.event.type === "IssuanceCancelled",
    );
    expect(cancelled).toMatchObject({
      event: { payload: { invoiceSeq: 2, reason: ABANDONED_FOR_CORRECTION } },
    });
  });

  it("a late 'issued' for the abandoned replacement goes to a human and never re-supersedes", () => {
    const state = must(replacementFailedThenD());
    const d = decide(state, callback(keyOfSeq(state, 2), "issued", "102"), NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual(["Human:CONTRADICTORY_CALLBACK", "Publish:ReviewRequired"]);
    expect(activeSeqs(d.next)).toEqual([3]);
    expect(invoiceBySeq(must(d.next), 1)?.supersededBySeq).toBe(3);
  });

  it("R3's result with a refund pending neither throws nor loses the refund", () => {
    let state = replacementFailedThenD();
    for (const event of [refund(100_000), replay()])
      state = decide(state, event, NOW, REPLACE, freshIds()).next;
    const d = decide(state, callback(keyOfSeq(state, 3), "issued", "103"), NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual([
      "Publish:InvoiceIssued",
      "IssueAdjustment",
      "Publish:CorrectionStarted",
    ]);
    expect(ofType(d.effects, "IssueAdjustment")[0]?.adjusts.invoiceSeq).toBe(3);
    expect(d.next?.refunds.map((r) => r.status)).toEqual(["settled"]);
  });
});

describe("the invariant guard in decide (finding 1)", () => {
  const twoReplacements = (): OrderState => {
    const state = must(
      build([() => payment(BUYER_B), (s) => issued(s, 1), () => request(BUYER_C, NOW)], REPLACE),
    );
    const r2 = must(invoiceBySeq(state, 2));
    // A corrupted shape: two replacements of the same invoice both on their way.
    return {
      ...state,
      invoices: [
        ...state.invoices,
        { ...r2, seq: 3, transactionUuid: "00000000-0000-5000-8000-000000000003", attempts: [] },
      ],
    };
  };

  it("refuses a decision that would leave two active invoices, as a human case", () => {
    const state = twoReplacements();
    const event = replay();
    const d = decide(state, event, NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual(["Human:INVARIANT_VIOLATION", "Publish:ReviewRequired"]);
    expect(d.next?.invoices).toBe(state.invoices);
    // Recorded, not rejected: the caller marks the event processed, so a redelivery does not loop.
    expect(auditOf(d)).toMatchObject({ outcome: "recorded", eventId: event.eventId });
  });

  it("turns a handler's broken precondition into a human case instead of throwing", () => {
    const opened = must(build([() => payment()]));
    // Corrupted: a claim still open although an original invoice exists.
    const state: OrderState = {
      ...opened,
      invoices: [
        {
          seq: 1,
          role: "original",
          transactionUuid: keyOfSeq(build([() => payment(BUYER_B)]), 1),
          buyer: BUYER_B,
          status: "issuing",
          invoiceDate: "2026-03-15",
          taxPointDate: "2026-03-15",
          attempts: [],
        },
      ],
    };
    const d = decide(state, expireClaim(must(state.claim).token), T0 + HOUR, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Human:INVARIANT_VIOLATION", "Publish:ReviewRequired"]);
    expect(d.next?.invoices).toBe(state.invoices);
  });
});

describe("a follow-up correction uses the same method (finding 8)", () => {
  it("under `replace`, a buyer change after a refund adjustment is an adjustment, not a replacement", () => {
    const state = build(
      [() => payment(BUYER_B), (s) => issued(s, 1), () => refund(100_000), (s) => issued(s, 2)],
      REPLACE,
    );
    const d = decide(state, request(BUYER_C, NOW), NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual(["IssueAdjustment", "Publish:CorrectionStarted"]);
    expect(ofType(d.effects, "IssueAdjustment")[0]).toMatchObject({
      adjusts: { invoiceSeq: 1 },
      reason: { kind: "buyer", buyer: { taxCode: BUYER_C.taxCode } },
    });
    expect(auditOf(d).note).toContain("same method");
    expect(activeSeqs(d.next)).toEqual([1]);
    expect(effectiveBuyer(must(d.next))).toMatchObject({ taxCode: BUYER_C.taxCode });
  });

  it("still replaces an invoice that has no adjustment", () => {
    const state = build([() => payment(BUYER_B), (s) => issued(s, 1)], REPLACE);
    expect(summary(decide(state, request(BUYER_C, NOW), NOW, REPLACE, freshIds()).effects)).toEqual([
      "IssueReplacement",
      "Publish:CorrectionStarted",
    ]);
  });
});

describe("a refund while a replacement is issuing (finding 14)", () => {
  const replacing = () =>
    build(
      [() => payment(BUYER_B), (s) => issued(s, 1), () => request(BUYER_C, NOW), () => refund(100_000)],
      REPLACE,
    );

  it("waits for the replacement, and is adjusted on the restored original when the replacement fails", () => {
    const state = replacing();
    expect(state?.refunds.map((r) => r.status)).toEqual(["pending"]);
    const d = decide(state, rejected(state, 2), NOW, REPLACE, freshIds());
    const adjustments = ofType(d.effects, "IssueAdjustment");
    expect(adjustments[0]).toMatchObject({
      adjusts: { invoiceSeq: 1 },
      reason: { kind: "refund", amountVnd: 100_000 },
    });
    expect(d.next?.refunds.map((r) => r.status)).toEqual(["settled"]);
    // The failed replacement cannot be resumed over an adjusted invoice: it is abandoned and its
    // buyer change goes on as an adjustment (same method as the refund's).
    expect(invoiceBySeq(must(d.next), 2)?.status).toBe("abandoned");
    expect(adjustments[1]).toMatchObject({ adjusts: { invoiceSeq: 1 }, reason: { kind: "buyer" } });
    expect(activeSeqs(d.next)).toEqual([1]);
  });

  it("under `adjust` policy nothing is replaced and the refund adjusts the original at once", () => {
    const state = build([() => payment(BUYER_B), (s) => issued(s, 1)], ADJUST);
    const d = decide(state, refund(100_000), NOW, ADJUST, freshIds());
    expect(summary(d.effects)).toEqual(["IssueAdjustment", "Publish:CorrectionStarted"]);
  });
});

describe("a refund flagged full for less than the amount paid (finding 7)", () => {
  it("does not cancel the issuance: recorded as partial and surfaced", () => {
    const state = build([() => payment(BUYER_B)]);
    const d = decide(state, refund(100_000, true), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Human:REFUND_FLAG_MISMATCH", "Publish:ReviewRequired"]);
    expect(d.next?.status).toBe("ISSUING");
    expect(d.next?.refunds).toEqual([
      { refundId: "ref-100000-true", amountVnd: 100_000, full: false, status: "pending" },
    ]);
    const done = decide(d.next, issued(d.next, 1), NOW, RECORD, freshIds());
    expect(ofType(done.effects, "IssueAdjustment")[0]?.reason).toMatchObject({
      amountVnd: 100_000,
      full: false,
    });
  });

  it("does not close an open claim either", () => {
    const d = decide(build([() => payment()]), refund(100_000, true), NOW, RECORD, freshIds());
    expect(d.next?.status).toBe("AWAITING_CLAIM");
    expect(d.next?.claim?.status).toBe("open");
  });

  it("a refund that does bring the total to the amount paid is full, flag or not", () => {
    const state = build([() => payment(BUYER_B), () => refund(100_000)]);
    const d = decide(state, refund(1_000_000, true), NOW, RECORD, freshIds());
    // The send is in flight: the provider may still create it, so its lease is watched.
    expect(summary(d.effects)).toEqual([
      "CancelPendingIssuance",
      "Publish:IssuanceCancelled",
      "ScheduleWakeUp",
    ]);
  });
});
