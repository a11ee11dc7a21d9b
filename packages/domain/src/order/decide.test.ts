import { describe, expect, it } from "vitest";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { activeInvoice, effectiveBuyer } from "./state.ts";
import {
  ADJUST,
  auditOf,
  BUYER_B,
  BUYER_C,
  build,
  callback,
  ev,
  expireClaim,
  freshIds,
  HOUR,
  issued,
  keyOf,
  must,
  NOW,
  PAID,
  PAID_LINES,
  payment,
  RECORD,
  REPLACE,
  refund,
  rejected,
  replay,
  request,
  run,
  submitClaim,
  summary,
  T0,
} from "./test-support.ts";
import { invoiceTransactionUuid } from "./transaction-uuid.ts";

const effectOf = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);

describe("payment", () => {
  it("opens a claim until paidAt + window with the fresh token", () => {
    const d = decide(undefined, payment(), NOW, RECORD, {
      claimToken: "11111111-2222-4333-8444-555555555555",
    });
    expect(effectOf(d.effects, "OpenClaim")).toEqual({
      type: "OpenClaim",
      claimToken: "11111111-2222-4333-8444-555555555555",
      deadline: T0 + HOUR,
    });
    expect(d.next?.claim).toEqual({
      token: "11111111-2222-4333-8444-555555555555",
      deadline: T0 + HOUR,
      status: "open",
    });
  });

  it("issues to the anonymous retail buyer when the merchant's claim window is 0", () => {
    const d = decide(undefined, payment(), NOW, { ...RECORD, claimWindowMs: 0 }, freshIds());
    expect(effectOf(d.effects, "IssueInvoice")?.buyer).toEqual({ kind: "anonymous" });
  });

  it("issues anonymously when the window was already over when the payment was processed", () => {
    const d = decide(undefined, payment(), T0 + 2 * HOUR, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["IssueInvoice"]);
    expect(auditOf(d).note).toContain("already over");
  });

  it("uses a deterministic idempotency key per (merchant, order, invoice seq)", () => {
    const d = decide(undefined, payment(BUYER_B), NOW, RECORD, freshIds());
    const issue = effectOf(d.effects, "IssueInvoice");
    expect(issue?.transactionUuid).toBe(invoiceTransactionUuid("M-1", "ORD-1", 1));
    expect(issue?.transactionUuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(invoiceTransactionUuid("M-1", "ORD-1", 2)).not.toBe(issue?.transactionUuid);
    expect(invoiceTransactionUuid("M-1:O", "RD-1", 1)).not.toBe(invoiceTransactionUuid("M-1", "O:RD-1", 1));
  });

  it("keeps the payment, surfaces an invalid buyer on it and opens a claim so the buyer can fix it", () => {
    const d = decide(undefined, payment({ ...BUYER_B, taxCode: "0100109107" }), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual([
      "Human:INVALID_BUYER_IN_PAYMENT",
      "Publish:ReviewRequired",
      "OpenClaim",
      "Publish:ClaimOpened",
    ]);
    expect(d.next?.status).toBe("AWAITING_CLAIM");
  });

  it("records a second, different payment for a human", () => {
    const { state } = run([payment(BUYER_B)]);
    const d = decide(state, payment(BUYER_B, { paymentId: "pay-2" }), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Human:SECOND_PAYMENT", "Publish:ReviewRequired"]);
  });
});

describe("buyer info", () => {
  it("payment before request and the reverse end the same: issued to the requested buyer", () => {
    const a = run([payment(), request(BUYER_C)]).state;
    const b = run([request(BUYER_C), payment()]).state;
    expect(activeInvoice(must(a))?.buyer).toEqual(activeInvoice(must(b))?.buyer);
    expect(activeInvoice(must(a))?.buyer).toMatchObject({ taxCode: "0300588569" });
  });

  it("the newest buyer info wins whatever the arrival order; older info after issuance is ignored", () => {
    const older = request(BUYER_C, T0 - 60_000);
    const withBuyer = payment(BUYER_B);
    const a = run([older, withBuyer]);
    const b = run([withBuyer, older]);
    expect(activeInvoice(must(a.state))?.buyer).toMatchObject({ taxCode: BUYER_B.taxCode });
    expect(activeInvoice(must(b.state))?.buyer).toMatchObject({ taxCode: BUYER_B.taxCode });
    expect(auditOf(must(b.decisions[1])).note).toContain("not newer");
  });

  it("two requests before payment: the newer one wins whatever the arrival order", () => {
    const older = request(BUYER_B, T0 - 120_000);
    const newer = request(BUYER_C, T0 - 60_000);
    for (const order of [
      [older, newer],
      [newer, older],
    ]) {
      const { state } = run([...order, payment()]);
      expect(activeInvoice(must(state))?.buyer).toMatchObject({ taxCode: BUYER_C.taxCode });
    }
  });

  it("rejects an invalid buyer request with the reason", () => {
    const d = decide(undefined, request({ ...BUYER_C, taxCode: "12" }), NOW, RECORD, freshIds());
    expect(effectOf(d.effects, "Reject")).toMatchObject({ code: "INVALID_BUYER" });
    expect(d.next).toBeUndefined();
  });

  it("a buyer change while issuing waits and is resolved when the invoice is issued", () => {
    const state = build([() => payment(BUYER_B), () => request(BUYER_C, NOW)], REPLACE);
    expect(state?.pendingBuyerChange?.buyer.taxCode).toBe(BUYER_C.taxCode);
    const d = decide(state, issued(state, 1), NOW, REPLACE, freshIds());
    expect(summary(d.effects)).toEqual([
      "Publish:InvoiceIssued",
      "IssueReplacement",
      "Publish:CorrectionStarted",
    ]);
    expect(d.next?.status).toBe("REPLACED");
    expect(activeInvoice(must(d.next))?.buyer).toMatchObject({ taxCode: BUYER_C.taxCode });
    expect(d.next?.pendingBuyerChange).toBeUndefined();
  });

  it("a failed invoice is retargeted to a corrected buyer and the replay sends it under the same key", () => {
    const state = build([() => payment(BUYER_B), (s) => rejected(s, 1), () => request(BUYER_C, NOW)]);
    const d = decide(state, replay(), NOW, RECORD, freshIds());
    // The provider refused the first send for good: nothing stands under the key, no lookup needed.
    expect(effectOf(d.effects, "IssueInvoice")).toMatchObject({
      transactionUuid: invoiceTransactionUuid("M-1", "ORD-1", 1),
      buyer: { taxCode: BUYER_C.taxCode },
      attempt: 2,
      lookupFirst: false,
    });
    expect(auditOf(d).actor).toBe("ops@platform");
  });
});

describe("after issuance (Decree 70)", () => {
  const issuedToB = (policy = RECORD) => build([() => payment(BUYER_B), (s) => issued(s, 1)], policy);

  it("records a late buyer change for a human by default", () => {
    const d = decide(issuedToB(), request(BUYER_C, NOW), NOW, RECORD, freshIds());
    expect(effectOf(d.effects, "RecordForHuman")?.code).toBe("LATE_BUYER_CHANGE");
    expect(effectOf(d.effects, "IssueAdjustment")).toBeUndefined();
  });

  it("adjusts when the merchant allows it", () => {
    const d = decide(issuedToB(ADJUST), request(BUYER_C, NOW), NOW, ADJUST, freshIds());
    expect(effectOf(d.effects, "IssueAdjustment")).toMatchObject({
      invoiceSeq: 2,
      transactionUuid: invoiceTransactionUuid("M-1", "ORD-1", 2),
      adjusts: { invoiceSeq: 1, invoiceNo: "101" },
      buyer: { taxCode: BUYER_C.taxCode },
      reason: { kind: "buyer", buyer: { taxCode: BUYER_C.taxCode } },
    });
    expect(d.next?.status).toBe("ADJUSTED");
    expect(effectiveBuyer(must(d.next))).toMatchObject({ taxCode: BUYER_C.taxCode });
  });

  it("replaces when the merchant allows it, and the replaced invoice stops being active at once", () => {
    const d = decide(issuedToB(REPLACE), request(BUYER_C, NOW), NOW, REPLACE, freshIds());
    expect(effectOf(d.effects, "IssueReplacement")).toMatchObject({
      replaces: { invoiceSeq: 1 },
      invoiceSeq: 2,
    });
    expect(d.next?.invoices.filter((i) => activeInvoice(must(d.next)) === i)).toHaveLength(1);
    expect(activeInvoice(must(d.next))?.seq).toBe(2);
  });

  it("a name/address-only change under the same tax code is a 04/SS notification, not a new invoice", () => {
    const d = decide(
      issuedToB(REPLACE),
      request({ ...BUYER_B, name: "Công ty B mới" }, NOW),
      NOW,
      REPLACE,
      freshIds(),
    );
    expect(summary(d.effects)).toEqual(["Human:BUYER_NAME_ADDRESS_CHANGE", "Publish:ReviewRequired"]);
  });

  it("the same buyer again is ignored", () => {
    const d = decide(issuedToB(), request({ ...BUYER_B, email: "new@b.vn" }, NOW), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual([]);
    expect(auditOf(d).outcome).toBe("ignored");
  });

  it("surfaces the provider reporting two different numbers for one invoice", () => {
    const state = issuedToB();
    const d = decide(state, callback(keyOf(state, 0), "issued", "102"), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual(["Human:CONTRADICTORY_CALLBACK", "Publish:ReviewRequired"]);
    expect(d.next?.invoices[0]?.invoiceNo).toBe("101");
  });

  it("a failed replacement gives the original back its place", () => {
    const state = build(
      [() => payment(BUYER_B), (s) => issued(s, 1), () => request(BUYER_C, NOW), (s) => rejected(s, 2)],
      REPLACE,
    );
    expect(state?.status).toBe("ISSUED");
    expect(activeInvoice(must(state))?.seq).toBe(1);
    expect(effectiveBuyer(must(state))).toMatchObject({ taxCode: BUYER_B.taxCode });
    // Asking again goes through the after-issuance rules against the standing original.
    const again = decide(state, request(BUYER_C, NOW + 1), NOW, RECORD, freshIds());
    expect(summary(again.effects)).toEqual(["Human:LATE_BUYER_CHANGE", "Publish:ReviewRequired"]);
    const resumed = decide(state, replay(), NOW, REPLACE, freshIds());
    expect(activeInvoice(must(resumed.next))?.seq).toBe(2);
    expect(resumed.next?.status).toBe("REPLACED");
  });
});

describe("claims", () => {
  it("expiry after a submitted claim is a no-op; a submission after expiry is a late change", () => {
    const opened = must(run([payment()]).state);
    const token = must(opened.claim).token;
    const submitFirst = run([submitClaim(token, BUYER_C), expireClaim(token)], REPLACE, opened);
    expect(auditOf(must(submitFirst.decisions[1])).outcome).toBe("ignored");
    expect(activeInvoice(must(submitFirst.state))?.buyer).toMatchObject({ taxCode: BUYER_C.taxCode });

    const expireFirst = run([expireClaim(token), submitClaim(token, BUYER_C)], REPLACE, opened, T0 + HOUR);
    expect(activeInvoice(must(expireFirst.state))?.buyer).toEqual({ kind: "anonymous" });
    expect(expireFirst.state?.pendingBuyerChange?.buyer.taxCode).toBe(BUYER_C.taxCode);
  });

  it("a replay after the deadline treats the expiry as lost and issues anonymously", () => {
    const opened = must(run([payment()]).state);
    const early = decide(opened, replay(), T0 + HOUR - 1, RECORD, freshIds());
    expect(summary(early.effects)).toEqual([]);
    const late = decide(opened, replay(), T0 + HOUR, RECORD, freshIds());
    expect(summary(late.effects)).toEqual(["CloseClaim", "Publish:ClaimExpired", "IssueInvoice"]);
  });
});

describe("refunds", () => {
  it("a refund that arrives before its payment is recorded and applied when the payment arrives", () => {
    const first = decide(undefined, refund(PAID, true), NOW, RECORD, freshIds());
    expect(summary(first.effects)).toEqual([]);
    expect(auditOf(first).outcome).toBe("recorded");
    expect(first.next?.refunds).toMatchObject([{ amountVnd: PAID, status: "pending" }]);
    const paid = decide(first.next, payment(BUYER_B), NOW, RECORD, freshIds());
    // Refunded in full before anything was sent: no invoice at all.
    expect(summary(paid.effects)).toEqual([]);
    expect(paid.next).toMatchObject({ status: "FAILED", failure: { code: "REFUNDED_BEFORE_ISSUANCE" } });
  });

  it("an early partial refund is adjusted once the invoice is issued; one beyond the payment is set aside", () => {
    const early = run([refund(100_000, false, "r1"), refund(PAID, true, "r2"), payment(BUYER_B)]);
    expect(summary(must(early.decisions[2]).effects)).toEqual([
      "Human:REFUND_EXCEEDS_PAYMENT",
      "Publish:ReviewRequired",
      "IssueInvoice",
    ]);
    expect(early.state?.refunds.map((r) => r.status)).toEqual(["pending", "excess"]);
    const d = decide(early.state, issued(early.state, 1), NOW, RECORD, freshIds());
    expect(effectOf(d.effects, "IssueAdjustment")?.reason).toMatchObject({
      refundId: "r1",
      amountVnd: 100_000,
    });
  });

  it("counts cumulative refunds reaching the payment as full and refuses refunds beyond it", () => {
    const partial = run([payment(), refund(600_000)]).state;
    expect(partial?.status).toBe("AWAITING_CLAIM");
    const rest = decide(partial, refund(500_000), NOW, RECORD, freshIds());
    expect(rest.next?.status).toBe("FAILED");
    const over = decide(partial, refund(500_001), NOW, RECORD, freshIds());
    expect(effectOf(over.effects, "Reject")?.code).toBe("INVALID_REFUND");
  });

  it("an invoice issued despite the cancellation is adjusted for the full refund", () => {
    const state = build([() => payment(BUYER_B), () => refund(1_100_000, true)]);
    expect(state?.status).toBe("FAILED");
    const d = decide(state, issued(state, 1), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual([
      "Publish:InvoiceIssued",
      "IssueAdjustment",
      "Publish:CorrectionStarted",
    ]);
    expect(effectOf(d.effects, "IssueAdjustment")?.reason).toEqual({
      kind: "refund",
      refundId: "ref-1100000-true",
      amountVnd: 1_100_000,
      full: true,
    });
    expect(d.next?.status).toBe("ADJUSTED");
    expect(d.next?.failure).toBeUndefined();
  });

  it("a partial refund before issuance becomes an adjustment when the invoice is issued", () => {
    const state = build([() => payment(BUYER_B), () => refund(100_000)]);
    const d = decide(state, issued(state, 1), NOW, RECORD, freshIds());
    expect(effectOf(d.effects, "IssueAdjustment")?.reason).toMatchObject({
      kind: "refund",
      amountVnd: 100_000,
    });
    expect(d.next?.refunds[0]?.status).toBe("settled");
  });

  it("a replay does nothing for an order refunded before issuance", () => {
    const state = build([() => payment(), () => refund(1_100_000, true)]);
    const d = decide(state, replay(), NOW, RECORD, freshIds());
    expect(summary(d.effects)).toEqual([]);
  });
});

describe("bookkeeping", () => {
  it("refuses to apply an event of another order", () => {
    const state = run([payment()]).state;
    expect(() =>
      decide(
        state,
        ev("ReplayRequested", { reason: "", requestedBy: "x" }, { orderId: "ORD-2" }),
        NOW,
        RECORD,
        freshIds(),
      ),
    ).toThrow();
  });

  it("rejects a malformed envelope or payload without throwing", () => {
    const bad = { ...payment(), occurredAt: Number.NaN };
    expect(effectOf(decide(undefined, bad, NOW, RECORD, freshIds()).effects, "Reject")?.code).toBe(
      "INVALID_EVENT",
    );
    const noAmount = ev("PaymentSucceeded", {
      paymentId: "p",
      amountVnd: 1.5,
      paidAt: T0,
      lines: PAID_LINES,
    });
    expect(effectOf(decide(undefined, noAmount, NOW, RECORD, freshIds()).effects, "Reject")?.code).toBe(
      "INVALID_EVENT",
    );
    const weird = ev("ProviderCallback", { transactionUuid: "x", outcome: "maybe" as "issued" });
    expect(effectOf(decide(undefined, weird, NOW, RECORD, freshIds()).effects, "Reject")?.code).toBe(
      "INVALID_EVENT",
    );
  });

  it("writes one audit record per decision with before/after/outcome", () => {
    const d = decide(undefined, payment(BUYER_B), NOW, RECORD, freshIds());
    expect(auditOf(d)).toMatchObject({
      eventType: "PaymentSucceeded",
      outcome: "applied",
      before: null,
      after: "ISSUING",
      actor: "system",
    });
  });

  it("publishes events with ids derived from the causing event", () => {
    const event = payment();
    const d = decide(undefined, event, NOW, RECORD, freshIds());
    const published = d.effects.flatMap((e) => (e.type === "PublishInvoiceEvent" ? [e.event] : []));
    expect(published).toMatchObject([
      { eventId: `${event.eventId}:1`, causationEventId: event.eventId, occurredAt: NOW },
    ]);
  });

  it("keeps no event ids (the caller dedupes); a repeated payment or refund is still harmless", () => {
    const pay = payment(BUYER_B);
    const state = run([pay, refund(100_000, false, "r1")]).state;
    expect(state).not.toHaveProperty("appliedEventIds");
    const again = decide(state, pay, NOW, RECORD, freshIds());
    expect(auditOf(again).outcome).toBe("ignored");
    const refundAgain = decide(state, refund(100_000, false, "r1"), NOW, RECORD, freshIds());
    expect(auditOf(refundAgain).outcome).toBe("ignored");
  });

  it("throws when a claim must be opened without a usable fresh token", () => {
    expect(() => decide(undefined, payment(), NOW, RECORD, { claimToken: "" })).toThrow(/claimToken/);
  });
});
