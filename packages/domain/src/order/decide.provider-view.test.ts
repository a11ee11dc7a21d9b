// Issue 8: the order's view drifted from what the provider holds when results arrived late, twice or
// never. One deterministic reproduction per finding (the first commit of this file shows each
// failing against the machine before the fix), now in terms of the attempt protocol.
import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_LEASE_MS } from "./policy.ts";
import type { OrderState } from "./state.ts";
import {
  ADJUST,
  attemptOf,
  BUYER_B,
  BUYER_C,
  callback,
  ev,
  exhausted,
  expireClaim,
  freshIds,
  HOUR,
  issued,
  keyOfSeq,
  must,
  PAID,
  PAID_LINES,
  payment,
  RECORD,
  refund,
  rejected,
  replay,
  request,
  result,
  submitClaim,
  T0,
  wake,
} from "./test-support.ts";

const S = 1_000;
const L = SEND_LEASE_MS;
const PROVIDER_CALLS = new Set(["IssueInvoice", "IssueAdjustment", "IssueReplacement", "LookUpInvoice"]);
const calls = (effects: Effect[]) => effects.filter((e) => PROVIDER_CALLS.has(e.type));
const humans = (effects: Effect[]) => effects.flatMap((e) => (e.type === "RecordForHuman" ? [e.code] : []));

type Step = [
  number,
  Parameters<typeof decide>[1] | ((s: OrderState | undefined) => Parameters<typeof decide>[1]),
];

/** Applies `[at, event]` pairs (an event may be built from the state so far), collecting effects. */
function play(steps: Step[], policy = RECORD, start?: OrderState) {
  let state = start;
  const effects: Effect[] = [];
  for (const [at, make] of steps) {
    const event = typeof make === "function" ? make(state) : make;
    const d = decide(state, event, at, policy, freshIds());
    state = d.next;
    effects.push(...d.effects);
  }
  return { state, effects };
}

/** Pay(B) at T0; attempt 1 never answers; two leases later a replay resends (attempt 2). */
function resentOnce(policy = RECORD) {
  const first = play([[T0, payment(BUYER_B)]], policy);
  const lapsed = play([[T0 + L + S, replay()]], policy, first.state);
  expect(calls(lapsed.effects)).toEqual([]);
  const at = T0 + L + S + L;
  const resent = play([[at, (s) => wake(s, 1, "lease")]], policy, lapsed.state);
  expect(calls(resent.effects)).toMatchObject([{ type: "IssueInvoice", attempt: 2, lookupFirst: true }]);
  return { state: resent.state, at, beforeResend: first.state };
}

describe("issue 8 reproductions", () => {
  it("1. a late 'failed' of an earlier attempt never opens a second send while one is in flight", () => {
    const { state, at, beforeResend } = resentOnce();
    // Attempt 1's "rejected", delivered after attempt 2 started.
    const late = decide(state, rejected(beforeResend, 1), at + S, RECORD, freshIds());
    expect(late.next?.status).toBe("ISSUING");
    expect(late.next?.invoices[0]?.status).toBe("issuing");
    // The provider's own "failed" notice names no attempt: it cannot fail attempt 2 either.
    const notice = decide(late.next, callback(keyOfSeq(state, 1), "failed"), at + 2 * S, RECORD, freshIds());
    expect(notice.next?.invoices[0]?.status).toBe("issuing");
    const d = decide(notice.next, replay(), at + 3 * S, RECORD, freshIds());
    expect(calls([...late.effects, ...notice.effects, ...d.effects])).toEqual([]);
  });

  it("2. the buyer recorded as issued is the buyer the provider's invoice names", () => {
    const { state, at, beforeResend } = resentOnce();
    const end = play(
      [
        [at + S, rejected(beforeResend, 1)],
        [at + S, callback(keyOfSeq(state, 1), "failed")],
        [at + 2 * S, request(BUYER_C, at + 2 * S)],
        [at + 3 * S, (s) => issued(s, 1, "7")],
      ],
      RECORD,
      state,
    );
    // Both sends carried B: the provider's invoice names B, and C is a change after issuance.
    expect(must(end.state?.invoices[0]).buyer).toMatchObject({ name: BUYER_B.name });
    expect(humans(end.effects)).toContain("LATE_BUYER_CHANGE");
  });

  it.each([
    ["found", "B on the invoice, C a change after issuance"],
    ["not-found", "C retargeted and sent"],
  ] as const)(
    "2b. retries spent with the outcome unknown, then a buyer change: a lookup first (%s: %s)",
    (outcome, _what) => {
      const failed = play([
        [T0, payment(BUYER_B)],
        [T0 + 60 * S, (s) => result(s, 1, "unknown")],
        [T0 + 10 * L, (s) => exhausted(s, 1)],
        [T0 + 10 * L + S, request(BUYER_C, T0 + 10 * L)],
      ]);
      expect(failed.state?.pendingBuyerChange?.buyer).toMatchObject({ name: BUYER_C.name });
      expect(must(failed.state?.invoices[0]).buyer).toMatchObject({ name: BUYER_B.name });
      const lapsed = play([[T0 + 11 * L, replay()]], RECORD, failed.state);
      const looked = play([[T0 + 12 * L, replay()]], RECORD, lapsed.state);
      expect(calls(looked.effects)).toMatchObject([
        { type: "LookUpInvoice", attempt: 2, purpose: "resolve" },
      ]);
      const end = play([[T0 + 12 * L + S, (s) => result(s, 1, outcome)]], RECORD, looked.state);
      if (outcome === "found") {
        expect(must(end.state?.invoices[0])).toMatchObject({
          status: "issued",
          buyer: { name: BUYER_B.name },
        });
        expect(humans(end.effects)).toContain("LATE_BUYER_CHANGE");
      } else {
        expect(calls(end.effects)).toMatchObject([
          { type: "IssueInvoice", attempt: 3, lookupFirst: false, buyer: { name: BUYER_C.name } },
        ]);
      }
    },
  );

  it("3. a cancelled invoice whose send outcome is unknown is looked up, and corrected if it exists", () => {
    const sent = play([
      [T0, payment(BUYER_B)],
      // The send timed out: no result. Then the payment is refunded in full.
      [T0 + 60 * S, refund(PAID, true, "r-full")],
    ]);
    expect(sent.state?.status).toBe("FAILED");
    const replayed = play([[T0 + HOUR, replay()]], RECORD, sent.state);
    expect(calls(replayed.effects)).toEqual([]); // first sight of the lapsed lease: re-armed
    const looked = play([[T0 + HOUR + L, (s) => wake(s, 1, "lease")]], RECORD, replayed.state);
    expect(calls(looked.effects)).toMatchObject([{ type: "LookUpInvoice", attempt: 2, purpose: "resolve" }]);
    const found = play([[T0 + HOUR + L + S, (s) => result(s, 1, "found")]], RECORD, looked.state);
    expect(calls(found.effects)).toMatchObject([
      { type: "IssueAdjustment", reason: { kind: "refund", amountVnd: PAID, full: true } },
    ]);
    expect(found.state?.status).toBe("ADJUSTED");
  });

  it("4. a ClaimExpired before the deadline is deferred to it", () => {
    const opened = decide(undefined, payment(undefined), T0, RECORD, freshIds()).next;
    const token = must(opened?.claim).token;
    const early = decide(opened, expireClaim(token), T0 + 60 * S, RECORD, freshIds());
    expect(calls(early.effects)).toEqual([]);
    expect(early.effects).toContainEqual(expect.objectContaining({ type: "ScheduleWakeUp", at: T0 + HOUR }));
    // A buyer claiming in time still wins.
    const claimed = decide(
      early.next,
      submitClaim(token, BUYER_C, T0 + 120 * S),
      T0 + 120 * S,
      RECORD,
      freshIds(),
    );
    expect(calls(claimed.effects)).toMatchObject([{ type: "IssueInvoice", buyer: { name: BUYER_C.name } }]);
    // Without a claim, the deadline's wake-up applies the expiry.
    const due = decide(
      early.next,
      wake(early.next, undefined, "claim-deadline"),
      T0 + HOUR,
      RECORD,
      freshIds(),
    );
    expect(calls(due.effects)).toMatchObject([{ type: "IssueInvoice", buyer: { kind: "anonymous" } }]);
  });

  it("5. an in-time claimant never gets LATE_BUYER_CHANGE, also after a retarget", () => {
    const opened = decide(undefined, payment(undefined), T0, RECORD, freshIds()).next;
    const token = must(opened?.claim).token;
    const deadline = T0 + HOUR;
    const end = play(
      [
        [deadline + S, expireClaim(token)],
        [deadline + 2 * S, (s) => rejected(s, 1)],
        [deadline + 3 * S, request(BUYER_C, deadline - 2 * S)],
        [deadline + 4 * S, replay()],
        [deadline + 5 * S, submitClaim(token, BUYER_B, deadline - S)],
        [deadline + 6 * S, (s) => issued(s, 1, "8")],
      ],
      RECORD,
      opened,
    );
    expect(humans(end.effects)).not.toContain("LATE_BUYER_CHANGE");
    expect(humans(end.effects)).toContain("CLAIM_LOST_RACE");
  });

  it("6. once a cancelled invoice turns out issued, a buyer request before or after the refund ends the same", () => {
    const run = (order: "request-first" | "refund-first") => {
      const start = play([[T0, payment(BUYER_B)]]);
      const req = request(BUYER_C, T0 + 5 * S);
      const full = refund(PAID, true, "r-full");
      const middle: Step[] =
        order === "request-first"
          ? [
              [T0 + 10 * S, req],
              [T0 + 11 * S, full],
            ]
          : [
              [T0 + 10 * S, full],
              [T0 + 11 * S, req],
            ];
      const end = play([...middle, [T0 + 12 * S, (s) => issued(s, 1, "9")]], RECORD, start.state);
      const { invoices, status, pendingBuyerChange, buyer } = must(end.state);
      return {
        status,
        pendingBuyerChange,
        buyer: buyer?.buyer,
        invoices: invoices.map((i) => [i.seq, i.role, i.status, i.buyer]),
        humans: humans(end.effects).sort(),
      };
    };
    expect(run("request-first")).toEqual(run("refund-first"));
    expect(run("refund-first").status).toBe("ADJUSTED");
  });

  it("7. a redelivered old 'failed' after many events does not reopen a send", () => {
    const start = play([[T0, payment(BUYER_B)]]);
    const failed = rejected(start.state, 1);
    let s = play(
      [
        [T0 + S, failed],
        [T0 + 2 * S, replay()],
      ],
      RECORD,
      start.state,
    ).state;
    expect(attemptOf(s, 1).attempt).toBe(2);
    for (let i = 0; i < 300; i += 1) s = decide(s, replay(), T0 + 3 * S, RECORD, freshIds()).next;
    // The caller's ProcessedEvent drops a redelivery; should one reach decide, it is still harmless.
    const again = decide(s, failed, T0 + 4 * S, RECORD, freshIds());
    expect(again.next).toBe(s);
    const d = decide(again.next, replay(), T0 + 5 * S, RECORD, freshIds());
    expect(calls([...again.effects, ...d.effects])).toEqual([]);
  });

  describe("8. smaller findings", () => {
    it("a resent buyer adjustment carries the new buyer, its reason and its reference", () => {
      const adj = play(
        [
          [T0, payment(BUYER_B)],
          [T0 + S, (s) => issued(s, 1, "10")],
          [T0 + 2 * S, request(BUYER_C, T0 + 2 * S)],
          [T0 + 3 * S, (s) => rejected(s, 2)],
        ],
        ADJUST,
      );
      const d = decide(adj.state, replay(), T0 + 4 * S, ADJUST, freshIds());
      expect(calls(d.effects)).toMatchObject([
        {
          type: "IssueAdjustment",
          invoiceSeq: 2,
          attempt: 2,
          lookupFirst: false,
          buyer: { name: BUYER_C.name },
          reason: { kind: "buyer", buyer: { name: BUYER_C.name } },
          adjusts: { invoiceSeq: 1, invoiceNo: "10" },
        },
      ]);
    });

    it("an invoice number that first arrives empty is filled in later, and only then published", () => {
      const first = play([
        [T0, payment(BUYER_B)],
        [T0 + S, (s) => issued(s, 1, "")],
      ]);
      expect(
        first.effects.some((e) => e.type === "PublishInvoiceEvent" && e.event.type === "InvoiceIssued"),
      ).toBe(false);
      expect(first.effects).toContainEqual(
        expect.objectContaining({ type: "ScheduleWakeUp", reason: "number" }),
      );
      const end = play(
        [[T0 + 2 * S, callback(keyOfSeq(first.state, 1), "issued", "00000123")]],
        RECORD,
        first.state,
      );
      expect(must(end.state?.invoices[0]).invoiceNo).toBe("123");
      expect(end.effects).toContainEqual(
        expect.objectContaining({
          event: expect.objectContaining({
            type: "InvoiceIssued",
            payload: expect.objectContaining({ invoiceNo: "123" }),
          }),
        }),
      );
    });

    it("a non-numeric invoice number is not recorded, and a human is told", () => {
      const end = play([
        [T0, payment(BUYER_B)],
        [T0 + S, (s) => issued(s, 1, "C26TAA-12")],
      ]);
      expect(must(end.state?.invoices[0]).invoiceNo).toBeUndefined();
      expect(humans(end.effects)).toContain("INVOICE_NUMBER_MISSING");
    });

    it("corrections are never dated before an earlier invoice of the order", () => {
      const day = 24 * HOUR;
      const end = play(
        [
          [T0, payment(BUYER_B)],
          [T0 + S, (s) => issued(s, 1, "11")],
          [T0 + 3 * day, refund(100_000, false, "r1", T0 + 3 * day)],
          // Buyer info stamped the 16th, processed after the refund of the 18th.
          [T0 + 3 * day + S, request(BUYER_C, T0 + day)],
        ],
        ADJUST,
      );
      const dates = end.state?.invoices.map((i) => i.invoiceDate) ?? [];
      expect(dates).toEqual(["2026-03-15", "2026-03-18", "2026-03-18"]);
    });

    it("a payment of 0 is refused", () => {
      const d = decide(
        undefined,
        ev("PaymentSucceeded", { paymentId: "p0", amountVnd: 0, paidAt: T0, lines: PAID_LINES }),
        T0,
        RECORD,
        freshIds(),
      );
      expect(d.effects).toContainEqual(expect.objectContaining({ type: "Reject", code: "INVALID_PAYMENT" }));
    });

    it("lines with a negative price, or lines that do not add up to the payment, are refused", () => {
      const line = { name: "Áo", quantity: "1", unitPriceVnd: -1_000, vatCategory: "VAT10" as const };
      const negative = decide(
        undefined,
        ev("PaymentSucceeded", { paymentId: "p1", amountVnd: 1_100, paidAt: T0, lines: [line] }),
        T0,
        RECORD,
        freshIds(),
      );
      const short = decide(
        undefined,
        ev("PaymentSucceeded", {
          paymentId: "p2",
          amountVnd: PAID,
          paidAt: T0,
          lines: [{ ...line, unitPriceVnd: 500_000 }],
        }),
        T0,
        RECORD,
        freshIds(),
      );
      const none = decide(
        undefined,
        ev("PaymentSucceeded", { paymentId: "p3", amountVnd: PAID, paidAt: T0, lines: [] }),
        T0,
        RECORD,
        freshIds(),
      );
      for (const d of [negative, short, none]) {
        expect(d.effects).toContainEqual(
          expect.objectContaining({ type: "Reject", code: "INVALID_PAYMENT" }),
        );
        expect(d.next).toBeUndefined();
      }
    });

    it("a send started by a decider whose clock is 60 min slow is not resumed at once by a replay", () => {
      const slow = play([[T0 - HOUR, payment(BUYER_B, { paidAt: T0 })]]);
      const d = decide(slow.state, replay(), T0 + S, RECORD, freshIds());
      expect(calls(d.effects)).toEqual([]);
      expect(d.effects).toContainEqual(expect.objectContaining({ type: "ScheduleWakeUp", at: T0 + S + L }));
      // Only a lease after that first sight (by the right clock) is the key followed up, lookup first.
      const early = decide(d.next, wake(d.next, 1, "lease"), T0 + L, RECORD, freshIds());
      expect(calls(early.effects)).toEqual([]);
      const due = decide(d.next, wake(d.next, 1, "lease"), T0 + S + L, RECORD, freshIds());
      expect(calls(due.effects)).toMatchObject([{ type: "IssueInvoice", attempt: 2, lookupFirst: true }]);
    });
  });
});
