// README "The issuer's contract", examples 1-6, step by step: what the issuer helper codes against.
import { describe, expect, it } from "vitest";
import type { IssuanceEvent } from "../events.ts";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { SEND_LEASE_MS, SEND_START_WINDOW_MS } from "./policy.ts";
import type { OrderState } from "./state.ts";
import {
  BUYER_B,
  ev,
  exhausted,
  freshIds,
  keyOfSeq,
  PAID,
  payment,
  RECORD,
  refund,
  replay,
  result,
  T0,
  wake,
} from "./test-support.ts";

const S = 1_000;
const L = SEND_LEASE_MS;
const t = T0;
const calls = (effects: Effect[]) =>
  effects.filter((e) =>
    ["IssueInvoice", "IssueAdjustment", "IssueReplacement", "LookUpInvoice"].includes(e.type),
  );
const of = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const published = (effects: Effect[]) => of(effects, "PublishInvoiceEvent").map((e) => e.event.type);

class Issuer {
  state: OrderState | undefined;
  effects: Effect[] = [];
  apply(at: number, event: IssuanceEvent | ((s: OrderState | undefined) => IssuanceEvent)) {
    const d = decide(
      this.state,
      typeof event === "function" ? event(this.state) : event,
      at,
      RECORD,
      freshIds(),
    );
    this.state = d.next;
    this.effects = d.effects;
    return d.effects;
  }
}

describe("the issuer's contract, README examples", () => {
  it("1. happy path: one call with identity, its result, InvoiceIssued", () => {
    const issuer = new Issuer();
    const key = () => keyOfSeq(issuer.state, 1);
    expect(calls(issuer.apply(t, payment(BUYER_B)))).toEqual([
      expect.objectContaining({
        type: "IssueInvoice",
        transactionUuid: key(),
        attemptId: `${key()}:1`,
        attempt: 1,
        lookupFirst: false,
        startBy: t + SEND_START_WINDOW_MS,
        leaseUntil: t + L,
      }),
    ]);
    const sent = { buyer: BUYER_B, documentHash: "sha256:abc" };
    const done = issuer.apply(t + S, (s) => result(s, 1, "issued", { invoiceNo: "123", sent }));
    expect(published(done)).toEqual(["InvoiceIssued"]);
    expect(issuer.state?.invoices[0]?.attempts[0]).toMatchObject({
      status: "issued",
      documentHash: "sha256:abc",
    });
  });

  it("2. timeout: followed up after two leases, with a lookup first", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    const k1 = `${keyOfSeq(issuer.state, 1)}:1`;
    expect(issuer.apply(t + 60 * S, (s) => result(s, 1, "unknown", { errorCode: "TIMEOUT" }))).toContainEqual(
      expect.objectContaining({
        type: "ScheduleWakeUp",
        at: t + L,
        reason: "retry",
        retry: true,
        attemptId: k1,
      }),
    );
    const rearmed = issuer.apply(t + L + S, (s) => wake(s, 1, "retry"));
    expect(calls(rearmed)).toEqual([]);
    expect(rearmed).toContainEqual(
      expect.objectContaining({
        type: "ScheduleWakeUp",
        at: t + L + S + L,
        reason: "lease",
        retry: false,
        attemptId: k1,
      }),
    );
    expect(calls(issuer.apply(t + L + S + L, (s) => wake(s, 1, "lease")))).toMatchObject([
      { type: "IssueInvoice", attempt: 2, lookupFirst: true },
    ]);
    const found = issuer.apply(t + 2 * L + 2 * S, (s) => result(s, 1, "found", { invoiceNo: "123" }));
    expect(published(found)).toEqual(["InvoiceIssued"]);
  });

  it("3. breaker open: a retry wake-up at once (the issuer's backoff decides), then a send without lookup", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    const k1 = `${keyOfSeq(issuer.state, 1)}:1`;
    expect(
      issuer.apply(t + S, (s) => result(s, 1, "not-sent", { errorCode: "BREAKER_OPEN" })),
    ).toContainEqual(
      expect.objectContaining({
        type: "ScheduleWakeUp",
        at: t + S,
        reason: "retry",
        retry: true,
        attemptId: k1,
      }),
    );
    expect(calls(issuer.apply(t + 5 * S, (s) => wake(s, 1, "retry")))).toMatchObject([
      { type: "IssueInvoice", attempt: 2, lookupFirst: false },
    ]);
  });

  it("4. crash after the decision: the recovery wake-up checks the lease, the follow-up is as in 2", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    const recovery = issuer.apply(t + 10 * S, ev("WakeUp", { reason: "recovery" }));
    expect(calls(recovery)).toEqual([]);
    expect(recovery).toContainEqual(
      expect.objectContaining({ type: "ScheduleWakeUp", at: t + L, reason: "lease" }),
    );
    expect(calls(issuer.apply(t + L, (s) => wake(s, 1, "lease")))).toEqual([]);
    expect(calls(issuer.apply(t + 2 * L, (s) => wake(s, 1, "lease")))).toMatchObject([
      { type: "IssueInvoice", attempt: 2, lookupFirst: true },
    ]);
  });

  it("4b. crash between a not-sent result and its retry record: the recovery wake-up sends again", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    // The retry wake-up this decision asks for is produced after the commit; the process dies first.
    const late = issuer.apply(t + 20 * S, (s) =>
      result(s, 1, "not-sent", { errorCode: "START_WINDOW_PASSED" }),
    );
    expect(of(late, "ScheduleWakeUp")).toMatchObject([{ reason: "retry", retry: true }]);
    const recovery = issuer.apply(t + 60 * S, ev("WakeUp", { reason: "recovery" }));
    expect(calls(recovery)).toMatchObject([{ type: "IssueInvoice", attempt: 2, lookupFirst: false }]);
    // The lost retry wake-up, had it arrived after all, is stale now: nothing is sent twice.
    expect(calls(issuer.apply(t + 61 * S, (s) => wake(s, 1, "retry")))).toEqual([]);
  });

  it("4c. the recovery wake-up leaves a settled invoice alone and a failed one to its replay", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    issuer.apply(t + S, (s) => result(s, 1, "issued", { invoiceNo: "123" }));
    expect(calls(issuer.apply(t + 60 * S, ev("WakeUp", { reason: "recovery" })))).toEqual([]);
    const failing = new Issuer();
    failing.apply(t, payment(BUYER_B));
    failing.apply(t + S, (s) => result(s, 1, "not-sent", { errorCode: "BREAKER_OPEN" }));
    failing.apply(t + 2 * S, (s) => exhausted(s, 1));
    expect(failing.state?.status).toBe("FAILED");
    expect(calls(failing.apply(t + 60 * S, ev("WakeUp", { reason: "recovery" })))).toEqual([]);
  });

  it("5. a full refund while the outcome is unknown: cancelled, looked up, and corrected when it exists", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    issuer.apply(t + 60 * S, (s) => result(s, 1, "unknown"));
    issuer.apply(t + L, (s) => wake(s, 1, "retry")); // lease seen over: re-armed
    const cancelled = issuer.apply(t + 2 * L, refund(PAID, true, "r-full"));
    expect(cancelled.map((e) => e.type)).toEqual([
      "CancelPendingIssuance",
      "PublishInvoiceEvent",
      "LookUpInvoice",
      "RecordAudit",
    ]);
    expect(calls(cancelled)).toMatchObject([{ attempt: 2, purpose: "resolve" }]);
    const found = issuer.apply(t + 2 * L + S, (s) => result(s, 1, "found", { invoiceNo: "123" }));
    expect(published(found)).toEqual(["InvoiceIssued", "CorrectionStarted"]);
    expect(of(found, "IssueAdjustment")[0]?.reason).toEqual({
      kind: "refund",
      refundId: "r-full",
      amountVnd: PAID,
      full: true,
    });
  });

  it("6. retries spent: FAILED with the reason and a human case; a replay resumes with a lookup once the lease allows", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    issuer.apply(t + 60 * S, (s) => result(s, 1, "unknown"));
    const failed = issuer.apply(t + 10 * L, (s) => exhausted(s, 1));
    expect(issuer.state?.status).toBe("FAILED");
    expect(issuer.state?.failure?.code).toBe("RETRIES_EXHAUSTED");
    expect(failed.map((e) => (e.type === "RecordForHuman" ? e.code : e.type))).toEqual([
      "PublishInvoiceEvent",
      "SEND_OUTCOME_UNKNOWN",
      "PublishInvoiceEvent",
      "RecordAudit",
    ]);
    expect(calls(issuer.apply(t + 11 * L, replay()))).toEqual([]); // first sight of the lease over
    expect(calls(issuer.apply(t + 12 * L, replay()))).toMatchObject([
      { type: "IssueInvoice", attempt: 2, lookupFirst: true },
    ]);
    expect(issuer.state?.status).toBe("ISSUING");
  });
});

describe("the issuer's contract, edges", () => {
  it("a claim-deadline wake-up decided by a clock still before the deadline asks again", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment());
    const token = issuer.state?.claim?.token as string;
    issuer.apply(t + S, ev("ClaimExpired", { claimToken: token }));
    const early = issuer.apply(t + 3_600_000 - S, ev("WakeUp", { reason: "claim-deadline" }));
    expect(calls(early)).toEqual([]);
    expect(early).toContainEqual(
      expect.objectContaining({ type: "ScheduleWakeUp", reason: "claim-deadline", at: t + 3_600_000 }),
    );
    const due = issuer.apply(t + 3_600_000, ev("WakeUp", { reason: "claim-deadline" }));
    expect(calls(due)).toMatchObject([{ type: "IssueInvoice", buyer: { kind: "anonymous" } }]);
  });

  it("a send that reports not-found sent nothing: the earlier unknown outcome still needs its lookup", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    issuer.apply(t + 60 * S, (s) => result(s, 1, "unknown"));
    issuer.apply(t + L, (s) => wake(s, 1, "retry"));
    issuer.apply(t + 2 * L, (s) => wake(s, 1, "lease"));
    const odd = issuer.apply(t + 2 * L + S, (s) => result(s, 1, "not-found"));
    expect(calls(odd)).toEqual([]);
    expect(issuer.state?.invoices[0]?.attempts[1]?.status).toBe("not-sent");
    expect(calls(issuer.apply(t + 2 * L + 5 * S, (s) => wake(s, 1, "retry")))).toMatchObject([
      { type: "IssueInvoice", attempt: 3, lookupFirst: true },
    ]);
  });

  it("an unknown answer for an invoice already issued asks for nothing", () => {
    const issuer = new Issuer();
    issuer.apply(t, payment(BUYER_B));
    const before = issuer.state;
    issuer.apply(
      t + S,
      ev("ProviderCallback", { transactionUuid: keyOfSeq(before, 1), outcome: "issued", invoiceNo: "5" }),
    );
    const late = issuer.apply(t + 2 * S, result(before, 1, "unknown"));
    expect(late.map((e) => e.type)).toEqual(["RecordAudit"]);
  });
});
