// Dates the machine puts on issuance effects, and the in-flight guard on replays. Deterministic
// reproductions of review findings 11 and 19.
import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_IN_FLIGHT_GUARD_MS } from "./policy.ts";
import {
  BUYER_B,
  build,
  callback,
  expireClaim,
  freshIds,
  HOUR,
  keyOfSeq,
  must,
  NOW,
  payment,
  RECORD,
  refund,
  replay,
  summary,
} from "./test-support.ts";

const find = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);

describe("the invoice date is decided by the machine from the payment time (finding 11)", () => {
  it.each([
    [Date.UTC(2026, 11, 31, 16, 59, 59, 999), "2026-12-31"], // 23:59:59.999 in Hanoi
    [Date.UTC(2026, 11, 31, 17, 0, 0, 0), "2027-01-01"], // midnight in Hanoi
    [Date.UTC(2026, 2, 15, 3, 0, 0), "2026-03-15"],
  ])("paid at %d -> invoiceDate %s", (paidAt, date) => {
    // Decided a week later: the date still follows the payment, not the clock.
    const d = decide(undefined, payment(BUYER_B, { paidAt }), paidAt + 7 * 24 * HOUR, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({ invoiceDate: date, taxPointDate: date });
    expect(d.next?.invoices[0]).toMatchObject({ invoiceDate: date, taxPointDate: date });
  });

  it("an anonymous invoice after a claim that expires in the next year keeps the sale's date", () => {
    const paidAt = Date.UTC(2026, 11, 31, 10, 0, 0); // 17:00 on 31 Dec in Hanoi
    let state = decide(undefined, payment(undefined, { paidAt }), paidAt, RECORD, freshIds()).next;
    const d = decide(state, expireClaim(must(state?.claim).token), paidAt + 2 * HOUR, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")?.invoiceDate).toBe("2026-12-31");
    state = decide(d.next, replay(), paidAt + 3 * HOUR, RECORD, freshIds()).next;
    expect(state?.invoices[0]?.invoiceDate).toBe("2026-12-31");
  });

  it("a correction is dated by its cause and keeps the sale's tax point, across 2026 -> 2027", () => {
    const paidAt = Date.UTC(2026, 11, 31, 3, 0, 0);
    const issued = build([() => payment(BUYER_B, { paidAt }), (s) => callback(keyOfSeq(s, 1))]);
    const refundedAt = Date.UTC(2027, 0, 5, 3, 0, 0);
    const d = decide(issued, refund(100_000, false, "r1", refundedAt), refundedAt + HOUR, RECORD, freshIds());
    expect(find(d.effects, "IssueAdjustment")).toMatchObject({
      invoiceDate: "2027-01-05",
      taxPointDate: "2026-12-31",
      adjusts: { invoiceSeq: 1, invoiceDate: "2026-12-31" },
    });
  });

  it("a correction is never dated before the invoice it corrects", () => {
    const paidAt = Date.UTC(2026, 5, 10, 3, 0, 0);
    const issued = build([() => payment(BUYER_B, { paidAt }), (s) => callback(keyOfSeq(s, 1))]);
    // A refund event stamped (by a skewed producer) before the sale.
    const d = decide(issued, refund(100_000, false, "r1", paidAt - 48 * HOUR), NOW, RECORD, freshIds());
    expect(find(d.effects, "IssueAdjustment")?.invoiceDate).toBe("2026-06-10");
  });
});

describe("replay and a send in flight (finding 19)", () => {
  const issuing = () => build([() => payment(BUYER_B)]);

  it("does not resend inside the guard, and says why", () => {
    const d = decide(issuing(), replay(), NOW + SEND_IN_FLIGHT_GUARD_MS - 1, RECORD, freshIds());
    expect(summary(d.effects)).toEqual([]);
    const audit = d.effects.at(-1);
    expect(audit?.type === "RecordAudit" && audit.audit.note).toContain("in flight");
  });

  it("after the guard, resumes with a lookup first and restarts the guard", () => {
    const at = NOW + SEND_IN_FLIGHT_GUARD_MS;
    const d = decide(issuing(), replay(), at, RECORD, freshIds());
    expect(find(d.effects, "ResumeIssuance")).toMatchObject({
      lookupFirst: true,
      previousSendStartedAt: NOW,
      invoiceDate: "2026-03-15",
    });
    expect(d.next?.invoices[0]?.sendStartedAt).toBe(at);
  });

  it("honours the merchant policy's guard", () => {
    const policy = { ...RECORD, sendInFlightGuardMs: 10_000 };
    expect(summary(decide(issuing(), replay(), NOW + 9_999, policy, freshIds()).effects)).toEqual([]);
    expect(summary(decide(issuing(), replay(), NOW + 10_000, policy, freshIds()).effects)).toEqual([
      "ResumeIssuance",
    ]);
  });

  it("resends a failed invoice at once: the provider answered, nothing is in flight", () => {
    const state = build([() => payment(BUYER_B), (s) => callback(keyOfSeq(s, 1), "failed")]);
    expect(summary(decide(state, replay(), NOW, RECORD, freshIds()).effects)).toEqual(["ResumeIssuance"]);
  });
});
