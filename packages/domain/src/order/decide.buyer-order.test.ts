// Which buyer ends up on the invoice when buyer facts, the payment, the send's result and the claim
// expiry arrive in different orders. Deterministic reproductions of review findings 2, 3 and 4.
import { describe, expect, it } from "vitest";
import type { IssuanceEvent } from "../events.ts";
import { type Decision, decide } from "./decide.ts";
import type { MerchantPolicy } from "./policy.ts";
import { activeInvoice, effectiveBuyer, type OrderState } from "./state.ts";
import {
  BUYER_B,
  BUYER_C,
  ev,
  freshIds,
  HOUR,
  keyOfSeq,
  must,
  NOW,
  payment,
  RECORD,
  REPLACE,
  rejected,
  replay,
  request,
  result,
  T0,
} from "./test-support.ts";

type Step = IssuanceEvent | ((s: OrderState | undefined) => IssuanceEvent);

/** Applies the steps; `nowOf(i)` is the deciding clock of step i (default NOW throughout). */
function play(steps: Step[], policy: MerchantPolicy = RECORD, nowOf: (i: number) => number = () => NOW) {
  let state: OrderState | undefined;
  const decisions: Decision[] = [];
  for (const [i, step] of steps.entries()) {
    const event = typeof step === "function" ? step(state) : step;
    const d = decide(state, event, nowOf(i), policy, freshIds());
    decisions.push(d);
    state = d.next;
  }
  const humans = decisions.flatMap((d) =>
    d.effects.flatMap((e) => (e.type === "RecordForHuman" ? [e.code] : [])),
  );
  return { state: must(state), humans };
}

const issued = (seq: number) => (s: OrderState | undefined) =>
  result(s, seq, "issued", { invoiceNo: `10${seq}` });
const failed = (seq: number) => (s: OrderState | undefined) => rejected(s, seq);
const taxCodeOnInvoice = (s: OrderState) => {
  const buyer = activeInvoice(s)?.buyer;
  return buyer?.kind === "anonymous" ? "anonymous" : buyer?.taxCode;
};

describe("a buyer change while the original is issuing, then the send fails (finding 2)", () => {
  it("change before the failure and change after it both end with C on the invoice", () => {
    const changeFirst = play([
      payment(BUYER_B),
      request(BUYER_C, T0 + 5_000),
      failed(1),
      replay(),
      issued(1),
    ]);
    const failFirst = play([payment(BUYER_B), failed(1), request(BUYER_C, T0 + 5_000), replay(), issued(1)]);
    for (const { state, humans } of [changeFirst, failFirst]) {
      expect(taxCodeOnInvoice(state)).toBe(BUYER_C.taxCode);
      expect(humans).toEqual([]);
      expect(state.pendingBuyerChange).toBeUndefined();
    }
  });

  it("the replay resends the retargeted invoice under the same key", () => {
    const { state } = play([payment(BUYER_B), request(BUYER_C, T0 + 5_000), failed(1)]);
    const d = decide(state, replay(), NOW, RECORD, freshIds());
    expect(d.effects.find((e) => e.type === "IssueInvoice")).toMatchObject({
      transactionUuid: keyOfSeq(state, 1),
      attempt: 2,
      buyer: { taxCode: BUYER_C.taxCode },
    });
  });
});

describe("payment with a buyer vs. a request older or newer than it (finding 3)", () => {
  const orders = (req: IssuanceEvent, pay: IssuanceEvent) => [
    [req, pay, issued(1)],
    [pay, req, issued(1)],
    [pay, issued(1), req],
  ];

  it.each([
    ["record", RECORD],
    ["replace", REPLACE],
  ] as const)(
    "a request newer than the payment is a change after the sale in every order (%s)",
    (_n, policy) => {
      const outcomes = orders(request(BUYER_C, T0 + 5_000), payment(BUYER_B, { occurredAt: T0 })).map(
        (steps) => play(steps, policy),
      );
      for (const { state, humans } of outcomes) {
        expect(state.invoices.find((i) => i.role === "original")?.buyer).toMatchObject({
          taxCode: BUYER_B.taxCode,
        });
        if (policy === RECORD) {
          expect(humans).toEqual(["LATE_BUYER_CHANGE"]);
          expect(effectiveBuyer(state)).toMatchObject({ taxCode: BUYER_B.taxCode });
        } else {
          expect(humans).toEqual([]);
          expect(state.status).toBe("REPLACED");
          expect(effectiveBuyer(state)).toMatchObject({ taxCode: BUYER_C.taxCode });
        }
      }
    },
  );

  it("a request older than the payment loses to the payment's buyer in every order, silently", () => {
    for (const steps of orders(request(BUYER_C, T0 - 5_000), payment(BUYER_B, { occurredAt: T0 }))) {
      const { state, humans } = play(steps);
      expect(taxCodeOnInvoice(state)).toBe(BUYER_B.taxCode);
      expect(humans).toEqual([]);
    }
  });

  it("without a claim window, a request newer than an anonymous payment is a late change in both orders", () => {
    const noWindow = { ...RECORD, claimWindowMs: 0 };
    const req = request(BUYER_C, T0 + 5_000);
    for (const steps of [
      [req, payment(), issued(1)],
      [payment(), req, issued(1)],
    ]) {
      const { state, humans } = play(steps, noWindow);
      expect(taxCodeOnInvoice(state)).toBe("anonymous");
      expect(humans).toEqual(["LATE_BUYER_CHANGE"]);
    }
  });

  it("with an open claim window, a newer request is honoured in both orders", () => {
    const req = request(BUYER_C, T0 + 5_000);
    for (const steps of [
      [req, payment(), issued(1)],
      [payment(), req, issued(1)],
    ]) {
      expect(taxCodeOnInvoice(play(steps).state)).toBe(BUYER_C.taxCode);
    }
  });
});

describe("an in-time claim processed after the claim expired (finding 4)", () => {
  const token = (s: OrderState | undefined) => must(must(s).claim).token;
  const expire = (s: OrderState | undefined) =>
    ev("ClaimExpired", { claimToken: token(s) }, { occurredAt: T0 + HOUR });
  const claim =
    (occurredAt = T0 + HOUR - 1) =>
    (s: OrderState | undefined) =>
      ev("ClaimSubmitted", { claimToken: token(s), buyer: BUYER_C }, { occurredAt });
  // The payment is processed at once, everything after it at the deadline (when the worker expires it).
  const atDeadline = (i: number) => (i === 0 ? NOW : T0 + HOUR);

  it("while the anonymous send is unconfirmed and then fails: retargeted to the claimant", () => {
    const { state, humans } = play(
      [payment(), expire, claim(), failed(1), replay(), issued(1)],
      RECORD,
      atDeadline,
    );
    expect(taxCodeOnInvoice(state)).toBe(BUYER_C.taxCode);
    expect(humans).toEqual([]);
  });

  it.each([
    ["while issuing", [payment(), expire, claim(), issued(1)]],
    ["after issued", [payment(), expire, issued(1), claim()]],
  ] as const)("%s, once the anonymous invoice is issued: CLAIM_LOST_RACE under any policy", (_n, steps) => {
    const recorded = play([...steps], RECORD, atDeadline);
    expect(recorded.humans).toEqual(["CLAIM_LOST_RACE"]);
    expect(taxCodeOnInvoice(recorded.state)).toBe("anonymous");
    const replaced = play([...steps], REPLACE, atDeadline);
    expect(replaced.humans).toEqual(["CLAIM_LOST_RACE"]);
    expect(effectiveBuyer(replaced.state)).toMatchObject({ taxCode: BUYER_C.taxCode });
  });

  it("a claim that occurred after the deadline is an ordinary late change", () => {
    const { humans } = play([payment(), expire, issued(1), claim(T0 + HOUR + 1)], RECORD, atDeadline);
    expect(humans).toEqual(["LATE_BUYER_CHANGE"]);
  });

  it("the expiry after a processed claim is still a no-op", () => {
    const { state } = play([payment(), claim(), expire, issued(1)], RECORD, atDeadline);
    expect(taxCodeOnInvoice(state)).toBe(BUYER_C.taxCode);
    expect(state.claim?.status).toBe("submitted");
  });
});
