// Dates the machine puts on issuance effects, and the in-flight guard on replays. Deterministic
// reproductions of review findings 11 and 19.
import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_LEASE_MS } from "./policy.ts";
import {
  auditOf,
  BUYER_B,
  build,
  expireClaim,
  freshIds,
  HOUR,
  issued,
  must,
  NOW,
  payment,
  RECORD,
  refund,
  rejected,
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
    const resent = decide(state, replay(), paidAt + 4 * HOUR, RECORD, freshIds());
    expect(find(resent.effects, "IssueInvoice")).toMatchObject({ attempt: 2, invoiceDate: "2026-12-31" });
  });

  it("a correction is dated by its cause and keeps the sale's tax point, across 2026 -> 2027", () => {
    const paidAt = Date.UTC(2026, 11, 31, 3, 0, 0);
    const done = build([() => payment(BUYER_B, { paidAt }), (s) => issued(s, 1)]);
    const refundedAt = Date.UTC(2027, 0, 5, 3, 0, 0);
    const d = decide(done, refund(100_000, false, "r1", refundedAt), refundedAt + HOUR, RECORD, freshIds());
    expect(find(d.effects, "IssueAdjustment")).toMatchObject({
      invoiceDate: "2027-01-05",
      taxPointDate: "2026-12-31",
      adjusts: { invoiceSeq: 1, invoiceDate: "2026-12-31" },
    });
  });

  it("a correction is never dated before the invoice it corrects", () => {
    const paidAt = Date.UTC(2026, 5, 10, 3, 0, 0);
    const done = build([() => payment(BUYER_B, { paidAt }), (s) => issued(s, 1)]);
    // A refund event stamped (by a skewed producer) before the sale.
    const d = decide(done, refund(100_000, false, "r1", paidAt - 48 * HOUR), NOW, RECORD, freshIds());
    expect(find(d.effects, "IssueAdjustment")?.invoiceDate).toBe("2026-06-10");
  });
});

describe("replay and a send in flight (finding 19, now the lease rules)", () => {
  const issuing = () => build([() => payment(BUYER_B)]);

  it("does not resend inside the lease, and asks to be woken when it ends", () => {
    const d = decide(issuing(), replay(), NOW + SEND_LEASE_MS - 1, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["ScheduleWakeUp"]);
    expect(find(d.effects, "ScheduleWakeUp")).toMatchObject({
      at: NOW + SEND_LEASE_MS,
      retry: false,
      reason: "lease",
    });
    expect(auditOf(d).note).toContain("leased until");
  });

  it("after the lease, re-arms it once; after the second, resends with a lookup first and the same dates", () => {
    const first = decide(issuing(), replay(), NOW + SEND_LEASE_MS, RECORD, freshIds());
    expect(summary(first.effects)).toEqual(["ScheduleWakeUp"]);
    expect(first.next?.invoices[0]?.attempts[0]).toMatchObject({
      leaseLapsedAt: NOW + SEND_LEASE_MS,
      leaseUntil: NOW + 2 * SEND_LEASE_MS,
    });
    const at = NOW + 2 * SEND_LEASE_MS;
    const d = decide(first.next, replay(), at, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      lookupFirst: true,
      invoiceDate: "2026-03-15",
      leaseUntil: at + SEND_LEASE_MS,
    });
    // The resend is in flight: an immediate second replay sends nothing.
    expect(summary(decide(d.next, replay(), at + 1, RECORD, freshIds()).effects)).toEqual(["ScheduleWakeUp"]);
  });

  it("honours the merchant policy's lease", () => {
    const policy = { ...RECORD, sendLeaseMs: 10_000 };
    const state = build([() => payment(BUYER_B)], policy);
    expect(summary(decide(state, replay(), NOW + 9_999, policy, freshIds()).effects)).toEqual([
      "ScheduleWakeUp",
    ]);
    const lapsed = decide(state, replay(), NOW + 10_000, policy, freshIds());
    expect(summary(decide(lapsed.next, replay(), NOW + 20_000, policy, freshIds()).effects)).toEqual([
      "IssueInvoice",
    ]);
  });

  it("resends a refused invoice at once: the provider answered, nothing is in flight", () => {
    const state = build([() => payment(BUYER_B), (s) => rejected(s, 1)]);
    const d = decide(state, replay(), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["IssueInvoice"]);
    expect(find(d.effects, "IssueInvoice")).toMatchObject({ attempt: 2, lookupFirst: false });
  });
});
