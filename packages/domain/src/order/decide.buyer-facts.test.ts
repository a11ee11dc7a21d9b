// Buyer facts that newer buyer facts have overtaken: an older request processed late, a failed
// correction made obsolete by newer info, buyer adjustments racing each other. Deterministic
// reproductions of the second review's findings 1, 2 and 3.
import { describe, expect, it } from "vitest";
import type { BuyerInfo, IssuanceEvent } from "../events.ts";
import { attemptIdOf } from "./attempts.ts";
import { ABANDONED_FOR_CORRECTION, ABANDONED_FOR_NEWER_BUYER_INFO } from "./corrections.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import type { MerchantPolicy } from "./policy.ts";
import { effectiveBuyer, invoiceBySeq, type OrderState } from "./state.ts";
import {
  ADJUST,
  auditOf,
  BUYER_B,
  BUYER_C,
  BUYER_D,
  freshIds,
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
  result,
  summary,
  T0,
} from "./test-support.ts";

type Step = IssuanceEvent | ((s: OrderState | undefined) => IssuanceEvent);

function play(steps: Step[], policy: MerchantPolicy) {
  let state: OrderState | undefined;
  const decisions: Decision[] = [];
  for (const step of steps) {
    const event = typeof step === "function" ? step(state) : step;
    const d = decide(state, event, NOW, policy, freshIds());
    decisions.push(d);
    state = d.next;
  }
  const effects = decisions.flatMap((d) => d.effects);
  const humans = effects.flatMap((e) => (e.type === "RecordForHuman" ? [e.code] : []));
  return { state: must(state), decisions, effects, humans };
}

const issued = (seq: number) => (s: OrderState | undefined) =>
  result(s, seq, "issued", { invoiceNo: `10${seq}` });
const failed = (seq: number) => (s: OrderState | undefined) => rejected(s, seq);
const ofType = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
/** Correction sends as `Type#seq`, resends as `Type#seq@attempt`. */
const sends = (effects: Effect[]) =>
  effects.flatMap((e) =>
    e.type === "IssueAdjustment" || e.type === "IssueReplacement"
      ? [`${e.type}#${e.invoiceSeq}${e.attempt > 1 ? `@${e.attempt}` : ""}`]
      : [],
  );
const cancelledSeqs = (effects: Effect[], reason: string) =>
  effects.flatMap((e) =>
    e.type === "PublishInvoiceEvent" &&
    e.event.type === "IssuanceCancelled" &&
    e.event.payload.reason === reason
      ? [e.event.payload.invoiceSeq]
      : [],
  );
const taxCodeOf = (s: OrderState) => {
  const buyer = effectiveBuyer(s);
  return buyer?.kind === "anonymous" ? "anonymous" : buyer?.taxCode;
};
const NO_WINDOW_ADJUST: MerchantPolicy = { ...ADJUST, claimWindowMs: 0 };
const B_RENAMED: BuyerInfo = { ...BUYER_B, name: "Công ty B (tên mới)" };

describe("an older request processed after a newer one (finding 1)", () => {
  // Payment to B at T0, then two requests: B at T0+10 s (the newest info) and D at T0+5 s.
  const pay = () => payment(BUYER_B, { occurredAt: T0 });
  const newerB = () => request(BUYER_B, T0 + 10_000);
  const olderD = () => request(BUYER_D, T0 + 5_000);

  it.each([
    ["adjust", NO_WINDOW_ADJUST],
    ["replace", { ...REPLACE, claimWindowMs: 0 }],
    ["record", { ...RECORD, claimWindowMs: 0 }],
  ] as const)("is ignored while the original is issuing, in both orders (%s)", (_n, policy) => {
    const newestLast = play([pay(), olderD(), newerB(), issued(1)], policy);
    const newestFirst = play([pay(), newerB(), olderD(), issued(1)], policy);
    for (const run of [newestLast, newestFirst]) {
      expect(sends(run.effects)).toEqual([]);
      expect(run.humans).toEqual([]);
      expect(taxCodeOf(run.state)).toBe(BUYER_B.taxCode);
      expect(run.state.pendingBuyerChange).toBeUndefined();
    }
    expect(auditOf(must(newestFirst.decisions[2])).note).toContain("newest buyer info already seen");
  });

  it("is ignored once the invoice is issued too", () => {
    const newest = newerB();
    const run = play([pay(), issued(1), newest, olderD()], NO_WINDOW_ADJUST);
    expect(sends(run.effects)).toEqual([]);
    expect(taxCodeOf(run.state)).toBe(BUYER_B.taxCode);
    expect(run.state.buyer?.eventId).toBe(newest.eventId);
    expect(auditOf(must(run.decisions[3])).outcome).toBe("ignored");
  });
});

describe("a failed buyer correction made obsolete by newer buyer info (finding 2)", () => {
  // Issued to B; a change to C (invoice 2) started; B asked again (newest info); invoice 2 failed.
  const cToBThenFail = (policy: MerchantPolicy) =>
    play(
      [
        payment(BUYER_B),
        issued(1),
        request(BUYER_C, T0 + 1_000),
        request(BUYER_B, T0 + 2_000),
        failed(2),
        replay(),
      ],
      policy,
    );

  it.each([
    ["replace", REPLACE],
    ["adjust", ADJUST],
  ] as const)("is abandoned, so a replay does not resume it (%s)", (_n, policy) => {
    const run = cToBThenFail(policy);
    expect(invoiceBySeq(run.state, 2)?.status).toBe("abandoned");
    expect(cancelledSeqs(run.effects, ABANDONED_FOR_NEWER_BUYER_INFO)).toEqual([2]);
    expect(sends(run.effects)).toEqual([`${policy === REPLACE ? "IssueReplacement" : "IssueAdjustment"}#2`]);
    expect(taxCodeOf(run.state)).toBe(BUYER_B.taxCode);
    expect(run.state.pendingBuyerChange).toBeUndefined();
  });

  it("newer info for the invoiced buyer after the failure abandons it as well; a refund then re-queues nothing", () => {
    const run = play(
      [
        payment(BUYER_B),
        issued(1),
        request(BUYER_C, T0 + 1_000),
        failed(2),
        request(BUYER_B, T0 + 2_000),
        refund(100_000),
        replay(),
      ],
      REPLACE,
    );
    expect(invoiceBySeq(run.state, 2)?.status).toBe("abandoned");
    expect(auditOf(must(run.decisions[4])).note).toContain("abandoned");
    expect(ofType(run.effects, "IssueAdjustment").map((e) => e.reason.kind)).toEqual(["refund"]);
    expect(sends(run.effects)).toEqual(["IssueReplacement#2", "IssueAdjustment#3"]);
    expect(taxCodeOf(run.state)).toBe(BUYER_B.taxCode);
  });

  it("a refund never re-queues a failed correction's buyer that newer info contradicts", () => {
    // The state of the old machine: the failed replacement to C survived newer info for B.
    const run = play(
      [payment(BUYER_B), issued(1), request(BUYER_C, T0 + 1_000), failed(2), request(BUYER_B, T0 + 2_000)],
      REPLACE,
    );
    const legacy: OrderState = {
      ...run.state,
      invoices: run.state.invoices.map((i) => (i.seq === 2 ? { ...i, status: "failed" } : i)),
    };
    const d = decide(legacy, refund(100_000), NOW, REPLACE, freshIds());
    expect(cancelledSeqs(d.effects, ABANDONED_FOR_CORRECTION)).toEqual([2]);
    expect(ofType(d.effects, "IssueAdjustment").map((e) => e.reason.kind)).toEqual(["refund"]);
    expect(d.next?.pendingBuyerChange).toBeUndefined();
    expect(taxCodeOf(must(d.next))).toBe(BUYER_B.taxCode);
  });

  it("a name/address-only change newer than the failed correction abandons it too", () => {
    const run = play(
      [
        payment(BUYER_B),
        issued(1),
        request(BUYER_C, T0 + 1_000),
        failed(2),
        request(B_RENAMED, T0 + 2_000),
        replay(),
      ],
      REPLACE,
    );
    expect(run.humans).toEqual(["CORRECTION_FAILED", "BUYER_NAME_ADDRESS_CHANGE"]);
    expect(invoiceBySeq(run.state, 2)?.status).toBe("abandoned");
    expect(sends(run.effects)).toEqual(["IssueReplacement#2"]);
  });

  it("a failed correction that still names the newest buyer stays resumable", () => {
    const run = play(
      [payment(BUYER_B), issued(1), request(BUYER_C, T0 + 1_000), failed(2), replay(), issued(2)],
      ADJUST,
    );
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2", "IssueAdjustment#2@2"]);
    expect(taxCodeOf(run.state)).toBe(BUYER_C.taxCode);
  });
});

describe("buyer adjustments one at a time (finding 3)", () => {
  const cThenD = [payment(BUYER_B), issued(1), request(BUYER_C, T0 + 1_000), request(BUYER_D, T0 + 2_000)];

  it("a change while a buyer adjustment is issuing waits for its result", () => {
    const run = play(cThenD, ADJUST);
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2"]);
    expect(run.state.pendingBuyerChange).toMatchObject({ buyer: { personalId: BUYER_D.personalId } });
    expect(auditOf(must(run.decisions[3])).note).toContain("waits");
  });

  it("goes out once the adjustment is issued", () => {
    const run = play([...cThenD, issued(2)], ADJUST);
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2", "IssueAdjustment#3"]);
    expect(run.state.pendingBuyerChange).toBeUndefined();
    expect(effectiveBuyer(run.state)).toMatchObject({ personalId: BUYER_D.personalId });
  });

  it("and takes over from the adjustment if it fails: no replay brings that one back", () => {
    const run = play([...cThenD, failed(2), replay(), issued(3)], ADJUST);
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2", "IssueAdjustment#3"]);
    expect(invoiceBySeq(run.state, 2)).toMatchObject({ status: "abandoned", abandonedForSeq: 3 });
    expect(effectiveBuyer(run.state)).toMatchObject({ personalId: BUYER_D.personalId });
  });

  it("a refund meanwhile is adjusted at once, the buyer change still waits", () => {
    const run = play([...cThenD, refund(100_000)], ADJUST);
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2", "IssueAdjustment#3"]);
    expect(ofType(run.effects, "IssueAdjustment")[1]?.reason.kind).toBe("refund");
    expect(run.state.pendingBuyerChange).toBeDefined();
  });

  it("a failed buyer adjustment with a later one of the same invoice is abandoned, never resumed", () => {
    // The shape the old machine could reach: adjustments 2 (C) and 3 (D) issuing at once.
    const started = play([payment(BUYER_B), issued(1), request(BUYER_C, T0 + 1_000)], ADJUST).state;
    const two = must(invoiceBySeq(started, 2));
    const three = "00000000-0000-5000-8000-000000000003";
    const legacy: OrderState = {
      ...started,
      invoices: [
        ...started.invoices,
        {
          ...two,
          seq: 3,
          transactionUuid: three,
          reason: { kind: "buyer", buyer: BUYER_D },
          attempts: two.attempts.map((a) => ({ ...a, attemptId: attemptIdOf(three, a.attempt) })),
        },
      ],
    };
    const d = decide(legacy, failed(2)(legacy), NOW, ADJUST, freshIds());
    expect(invoiceBySeq(must(d.next), 2)).toMatchObject({ status: "abandoned", abandonedForSeq: 3 });
    expect(cancelledSeqs(d.effects, ABANDONED_FOR_CORRECTION)).toEqual([2]);
    const r = replayPastLeases(d.next, ADJUST);
    expect(sends(r.effects)).toEqual(["IssueAdjustment#3@2"]);
  });

  it("under `replace`, a follow-up buyer adjustment waits for the previous one as well", () => {
    const run = play(
      [
        payment(BUYER_B),
        issued(1),
        refund(100_000),
        issued(2),
        request(BUYER_C, T0 + 1_000),
        request(BUYER_D, T0 + 2_000),
        issued(3),
      ],
      REPLACE,
    );
    expect(summary(run.decisions[5]?.effects ?? [])).toEqual([]);
    expect(sends(run.effects)).toEqual(["IssueAdjustment#2", "IssueAdjustment#3", "IssueAdjustment#4"]);
    expect(effectiveBuyer(run.state)).toMatchObject({ personalId: BUYER_D.personalId });
  });
});
