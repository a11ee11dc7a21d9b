// Dates the machine puts on issuance effects (ADR 0020: the day the invoice is made, the VAT of the
// sale's day; a refusal for the date dated again and sent), and the in-flight guard on replays.
// Deterministic reproductions of review findings 11 and 19.
import { describe, expect, it } from "vitest";
import { INVOICE_DATE_REFUSED } from "../events.ts";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_LEASE_MS } from "./policy.ts";
import type { OrderState } from "./state.ts";
import {
  auditOf,
  BUYER_B,
  build,
  exhausted,
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
  result,
  summary,
  wake,
} from "./test-support.ts";

const find = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);

describe("the invoice is dated the day it is made, its VAT at the sale's tax point (ADR 0020; finding 11)", () => {
  it.each([
    [Date.UTC(2026, 11, 31, 16, 59, 59, 999), "2026-12-31"], // 23:59:59.999 in Hanoi
    [Date.UTC(2026, 11, 31, 17, 0, 0, 0), "2027-01-01"], // midnight in Hanoi
    [Date.UTC(2026, 2, 15, 3, 0, 0), "2026-03-15"],
  ])("paid at %d and decided at once -> both dates %s", (paidAt, date) => {
    const d = decide(undefined, payment(BUYER_B, { paidAt }), paidAt, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({ invoiceDate: date, taxPointDate: date });
    expect(d.next?.invoices[0]).toMatchObject({ invoiceDate: date, taxPointDate: date });
  });

  it.each([
    [Date.UTC(2026, 11, 31, 16, 0, 0), "2027-01-07", "2026-12-31"],
    [Date.UTC(2026, 2, 15, 3, 0, 0), "2026-03-22", "2026-03-15"],
  ])("paid at %d and decided a week later -> dated %s, tax point %s", (paidAt, invoiceDate, taxPointDate) => {
    // A consumer lag, an outage, a paused issuer: the invoice is made (and numbered) a week later.
    const d = decide(undefined, payment(BUYER_B, { paidAt }), paidAt + 7 * 24 * HOUR, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({ invoiceDate, taxPointDate });
    expect(d.next?.invoices[0]).toMatchObject({ invoiceDate, taxPointDate });
  });

  it("never before the sale: a deciding clock behind the payment's dates it the sale's day", () => {
    const paidAt = Date.UTC(2026, 11, 31, 17, 0, 5); // 00:00:05 on 1 Jan 2027 in Hanoi
    const d = decide(undefined, payment(BUYER_B, { paidAt }), paidAt - 30_000, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      invoiceDate: "2027-01-01",
      taxPointDate: "2027-01-01",
    });
  });

  it("an anonymous invoice after a claim that expires in the next year: 2027 date and series, 2026 VAT date", () => {
    const paidAt = Date.UTC(2026, 11, 31, 10, 0, 0); // 17:00 on 31 Dec in Hanoi
    const policy = { ...RECORD, claimWindowMs: 24 * HOUR };
    let state = decide(undefined, payment(undefined, { paidAt }), paidAt, policy, freshIds()).next;
    const expiresAt = paidAt + 24 * HOUR;
    const d = decide(state, expireClaim(must(state?.claim).token), expiresAt, policy, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      invoiceDate: "2027-01-01",
      taxPointDate: "2026-12-31",
    });
    state = decide(d.next, replay(), expiresAt + 3 * HOUR, policy, freshIds()).next;
    const resent = decide(state, replay(), expiresAt + 4 * HOUR, policy, freshIds());
    expect(find(resent.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      invoiceDate: "2027-01-01",
      taxPointDate: "2026-12-31",
    });
  });

  it("a resend is dated the day it goes out; the tax point stays the sale's", () => {
    const state = build([() => payment(BUYER_B), (s) => rejected(s, 1)]);
    expect(state?.invoices[0]?.invoiceDate).toBe("2026-03-15");
    const later = NOW + 2 * 24 * HOUR;
    const d = decide(state, replay(), later, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      lookupFirst: false,
      invoiceDate: "2026-03-17",
      taxPointDate: "2026-03-15",
    });
    expect(d.next?.invoices[0]).toMatchObject({ invoiceDate: "2026-03-17", taxPointDate: "2026-03-15" });
    const done = decide(d.next, issued(d.next, 1), later + 1_000, RECORD, freshIds());
    expect(done.next?.invoices[0]).toMatchObject({ status: "issued", invoiceDate: "2026-03-17" });
    const published = done.effects.find(
      (e) => e.type === "PublishInvoiceEvent" && e.event.type === "InvoiceIssued",
    );
    expect(published?.type === "PublishInvoiceEvent" && published.event.payload).toMatchObject({
      invoiceDate: "2026-03-17",
    });
  });

  it("a lookup-first resend keeps the date (the provider may hold it); a refusal for the date then re-dates it", () => {
    const unknown = build([() => payment(BUYER_B), (s) => result(s, 1, "unknown", { errorCode: "TIMEOUT" })]);
    const later = NOW + 2 * 24 * HOUR;
    const first = decide(unknown, replay(), later, RECORD, freshIds());
    const d = decide(first.next, replay(), later + SEND_LEASE_MS, RECORD, freshIds());
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      lookupFirst: true,
      invoiceDate: "2026-03-15",
    });
    // Had the first send created it, the lookup finds it with the date the machine has.
    const found = decide(
      d.next,
      result(d.next, 1, "found"),
      later + SEND_LEASE_MS + 1_000,
      RECORD,
      freshIds(),
    );
    expect(found.next?.invoices[0]).toMatchObject({ status: "issued", invoiceDate: "2026-03-15" });
    // It had not: the lookup found nothing and the send of the 15th is refused, two days late.
    const refused = decide(
      d.next,
      result(d.next, 1, "rejected", { errorCode: INVOICE_DATE_REFUSED }),
      later + SEND_LEASE_MS + 1_000,
      RECORD,
      freshIds(),
    );
    expect(find(refused.effects, "IssueInvoice")).toMatchObject({
      attempt: 3,
      lookupFirst: false,
      invoiceDate: "2026-03-17",
    });
  });
});

describe("a send refused for its date is dated again and sent, never failed (ADR 0020)", () => {
  const lateOn31 = Date.UTC(2026, 11, 31, 16, 59, 58); // 23:59:58 in Hanoi
  const dateRefused = (s: OrderState | undefined, seq = 1) =>
    result(s, seq, "rejected", {
      errorCode: INVOICE_DATE_REFUSED,
      errorMessage: "createInvoice: HTTP 400 INVOICE_ISSUED_DATE_INVALID",
    });

  it("across midnight: the refusal is answered by an immediate send dated the new day", () => {
    const state = build([() => payment(BUYER_B, { paidAt: lateOn31 })], RECORD, () => lateOn31);
    expect(state?.invoices[0]?.invoiceDate).toBe("2026-12-31");
    const d = decide(state, dateRefused(state), lateOn31 + 7_000, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["IssueInvoice"]);
    expect(find(d.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      lookupFirst: false,
      invoiceDate: "2027-01-01",
      taxPointDate: "2026-12-31",
    });
    expect(d.next?.invoices[0]?.attempts[0]).toMatchObject({
      status: "rejected",
      error: { code: INVOICE_DATE_REFUSED },
    });
    expect(auditOf(d).note).toContain("refused for its date 2026-12-31");
    const done = decide(d.next, issued(d.next, 1), lateOn31 + 8_000, RECORD, freshIds());
    expect(done.next).toMatchObject({ status: "ISSUED" });
    expect(done.next?.invoices[0]).toMatchObject({ invoiceDate: "2027-01-01", taxPointDate: "2026-12-31" });
  });

  it("the same day (the series is ahead of our clock): a retry after the backoff, dated again then", () => {
    const state = build([() => payment(BUYER_B)]);
    const d = decide(state, dateRefused(state), NOW + 1_000, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["ScheduleWakeUp"]);
    expect(find(d.effects, "ScheduleWakeUp")).toMatchObject({ retry: true, reason: "retry" });
    expect(d.next).toMatchObject({ status: "ISSUING" });
    const next = decide(d.next, wake(d.next, 1), NOW + 24 * HOUR, RECORD, freshIds());
    expect(find(next.effects, "IssueInvoice")).toMatchObject({
      attempt: 2,
      lookupFirst: false,
      invoiceDate: "2026-03-16",
    });
  });

  it("when the retries run out it fails like any retried send (RETRIES_EXHAUSTED), not as refused", () => {
    const state = build([() => payment(BUYER_B), (s) => dateRefused(s)]);
    const d = decide(state, exhausted(state, 1), NOW + 60_000, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Publish:InvoiceFailed"]);
    expect(d.next).toMatchObject({ status: "FAILED", failure: { code: "RETRIES_EXHAUSTED" } });
  });

  it("a correction refused for its date is dated again too", () => {
    const issuedOn31 = build(
      [() => payment(BUYER_B, { paidAt: lateOn31 - HOUR }), (s) => issued(s, 1)],
      RECORD,
      () => lateOn31 - HOUR,
    );
    const adjusting = decide(
      issuedOn31,
      refund(100_000, false, "r1", lateOn31),
      lateOn31,
      RECORD,
      freshIds(),
    );
    expect(find(adjusting.effects, "IssueAdjustment")?.invoiceDate).toBe("2026-12-31");
    const d = decide(adjusting.next, dateRefused(adjusting.next, 2), lateOn31 + 5_000, RECORD, freshIds());
    expect(find(d.effects, "IssueAdjustment")).toMatchObject({
      attempt: 2,
      invoiceDate: "2027-01-01",
      taxPointDate: "2026-12-31",
    });
    expect(summary(d.effects)).not.toContain("Publish:InvoiceFailed");
  });

  it("any other refusal still fails the invoice", () => {
    const state = build([() => payment(BUYER_B)]);
    const d = decide(state, rejected(state, 1), NOW + 1_000, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Publish:InvoiceFailed"]);
  });
});

describe("corrections' dates", () => {
  it("a correction is dated the day it is made and keeps the sale's tax point, across 2026 -> 2027", () => {
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
