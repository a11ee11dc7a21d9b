// The issuer's contract under review (issue 8, second pass): sequences the provider-model test did
// not generate, each reproduced against the contract as README states it before the fix.

import { propertyRuns } from "@invoice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ISSUANCE_EVENT_TYPES, type IssuanceEvent } from "../events.ts";
import { decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import {
  CALL_END_MARGIN_MS,
  type MerchantPolicy,
  providerCallTimeoutMs,
  SEND_LEASE_MS,
  SEND_START_WINDOW_MS,
} from "./policy.ts";
import { BUYER_B, ev, freshIds, HOUR, payment, RECORD, replay, T0 } from "./test-support.ts";

type WakeUpEffect = Extract<Effect, { type: "ScheduleWakeUp" }>;
const wakeUps = (effects: Effect[]) => effects.filter((e): e is WakeUpEffect => e.type === "ScheduleWakeUp");

/**
 * An issuer that follows README "The issuer's contract" for wake-ups to the letter: ProcessedEvent
 * dedupes by eventId, each ScheduleWakeUp becomes one WakeUp fed with the effect's eventId, decided
 * at the time the test says (a deciding clock behind the scheduler's decides it early).
 */
class ContractIssuer {
  state = decide(undefined, payment(undefined, { paidAt: T0 }), T0, RECORD, freshIds()).next;
  readonly processed = new Set<string>();
  readonly pending: WakeUpEffect[] = [];

  apply(event: IssuanceEvent, now: number): Effect[] {
    if (this.processed.has(event.eventId)) return [];
    const decision = decide(this.state, event, now, RECORD, freshIds());
    if (!decision.effects.some((e) => e.type === "Reject")) this.processed.add(event.eventId);
    this.state = decision.next;
    this.pending.push(...wakeUps(decision.effects));
    return decision.effects;
  }

  /** Feeds the oldest wake-up asked for, decided at `now`. */
  wake(now: number): Effect[] {
    const due = this.pending.shift();
    if (!due) throw new Error("no wake-up was asked for");
    const payload = due.attemptId ? { attemptId: due.attemptId, reason: due.reason } : { reason: due.reason };
    return this.apply(ev("WakeUp", payload, { eventId: due.wakeUpEventId }), now);
  }
}

describe("wake-ups that fall due early ask for themselves again under a new eventId", () => {
  it("a claim expiry deferred to the deadline is applied even when its wake-up is first decided early", () => {
    const issuer = new ContractIssuer();
    const token = issuer.state?.claim?.token as string;
    const deadline = T0 + HOUR;
    // The expiry worker's clock is ahead: deferred to the deadline.
    issuer.apply(ev("ClaimExpired", { claimToken: token }), deadline - 60_000);
    expect(issuer.state?.claim).toMatchObject({ status: "open", expiryDeferred: true });
    // Its wake-up is decided by a clock one second behind: it asks for itself again...
    issuer.wake(deadline - 1_000);
    expect(issuer.pending).toHaveLength(1);
    expect(issuer.processed.has(issuer.pending[0]?.wakeUpEventId as string)).toBe(false);
    // ... and that wake-up, once due, applies the expiry (before the fix it carried the id just
    // processed, ProcessedEvent dropped it and the order waited for a claim forever).
    issuer.wake(deadline);
    expect(issuer.state?.status).toBe("ISSUING");
    expect(issuer.state?.claim?.status).toBe("expired");
  });

  it("a lease wake-up decided early, twice, still reaches the follow-up call", () => {
    const issuer = new ContractIssuer();
    issuer.state = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    issuer.apply(replay(), T0 + 10_000);
    const first = issuer.pending[0] as WakeUpEffect;
    expect(first).toMatchObject({ reason: "lease", at: T0 + SEND_LEASE_MS });
    issuer.wake(first.at - 2_000);
    issuer.wake(first.at - 1_000);
    const ids = [first.wakeUpEventId, `${first.wakeUpEventId}:again:1`, `${first.wakeUpEventId}:again:2`];
    expect([...issuer.processed].filter((id) => id.includes(":wake:"))).toEqual(ids.slice(0, 2));
    expect(issuer.pending.map((w) => w.wakeUpEventId)).toEqual([ids[2]]);
    issuer.wake(first.at); // the lease is over: re-armed from this clock
    const lease = issuer.pending[0] as WakeUpEffect;
    expect(lease.at).toBe(first.at + SEND_LEASE_MS);
    expect(issuer.wake(lease.at)).toContainEqual(
      expect.objectContaining({ type: "IssueInvoice", attempt: 2, lookupFirst: true }),
    );
  });

  it("the same wake-up asked for by two replays inside one lease keeps one eventId (applied once)", () => {
    const issuer = new ContractIssuer();
    issuer.state = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    issuer.apply(replay(), T0 + 10_000);
    issuer.apply(replay(), T0 + 20_000);
    const [a, b] = issuer.pending;
    expect(a?.wakeUpEventId).toBeDefined();
    expect(a?.wakeUpEventId).toBe(b?.wakeUpEventId);
  });
});

describe("the issuer's reports are read by their shape, never trusted blindly", () => {
  const sent = (buyer: unknown) => ({ buyer, documentHash: "sha256:abc" });
  const start = () => decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
  const attemptId = () => start()?.invoices[0]?.attempts[0]?.attemptId as string;

  it.each([
    ["a sent buyer that is null", { outcome: "issued", invoiceNo: "1", sent: sent(null) }],
    ["a sent buyer without a kind", { outcome: "issued", invoiceNo: "1", sent: sent({}) }],
    ["a sent buyer of an unknown kind", { outcome: "issued", invoiceNo: "1", sent: sent({ kind: "x" }) }],
    ["a document hash that is not text", { outcome: "issued", invoiceNo: "1", sent: { buyer: BUYER_B } }],
    ["a number as the invoice number", { outcome: "issued", invoiceNo: 123 }],
    ["a number as the series", { outcome: "issued", invoiceNo: "1", series: 7 }],
    ["a number as the error code", { outcome: "rejected", errorCode: 5 }],
  ])("a SendResult with %s is refused (INVALID_EVENT), the state untouched", (_name, payload) => {
    const state = start();
    const event = ev("SendResult", { attemptId: attemptId(), ...payload } as never);
    const decision = decide(state, event, T0 + 1_000, RECORD, freshIds());
    expect(decision.effects).toContainEqual(
      expect.objectContaining({ type: "Reject", code: "INVALID_EVENT" }),
    );
    expect(decision.next).toEqual(state);
  });

  it("a SendResult's nulls read as absent fields (JSON from a provider answer)", () => {
    const state = start();
    const event = ev("SendResult", {
      attemptId: attemptId(),
      outcome: "issued",
      invoiceNo: "42",
      series: null,
      invoiceDate: null,
      errorCode: null,
      sent: sent(BUYER_B),
    } as never);
    const decision = decide(state, event, T0 + 1_000, RECORD, freshIds());
    expect(decision.next?.invoices[0]).toMatchObject({ status: "issued", invoiceNo: "42" });
    expect(decision.next?.invoices[0]).not.toHaveProperty("series");
  });

  it("a ProviderCallback whose number is not text is refused, not a crash", () => {
    const state = start();
    const key = state?.invoices[0]?.transactionUuid as string;
    const event = ev("ProviderCallback", { transactionUuid: key, outcome: "issued", invoiceNo: 42 } as never);
    const decision = decide(state, event, T0 + 1_000, RECORD, freshIds());
    expect(decision.effects).toContainEqual(
      expect.objectContaining({ type: "Reject", code: "INVALID_EVENT" }),
    );
  });

  it("a replay whose requestedBy is not text is audited as by 'unknown', not a crash", () => {
    const state = start();
    const event = ev("ReplayRequested", { reason: "x", requestedBy: Object.create(null) } as never);
    const audit = decide(state, event, T0 + 1_000, RECORD, freshIds()).effects.at(-1);
    expect(audit).toMatchObject({ type: "RecordAudit", audit: { actor: "unknown" } });
  });
});

describe("decide never throws, whatever a payload holds", () => {
  it("every event type with payloads of arbitrary values, keys the handlers read, ids of the order", () => {
    const issuing = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    const attempt = issuing?.invoices[0]?.attempts[0]?.attemptId as string;
    const issued = decide(
      issuing,
      ev("SendResult", { attemptId: attempt, outcome: "issued", invoiceNo: "5" }),
      T0 + 1_000,
      RECORD,
      freshIds(),
    ).next;
    const claiming = decide(undefined, payment(undefined), T0, RECORD, freshIds()).next;
    const states = [undefined, issuing, issued, claiming];
    const known = [attempt, issuing?.invoices[0]?.transactionUuid, claiming?.claim?.token];
    const value = fc.oneof(
      fc.anything({ withNullPrototype: true }),
      fc.constantFrom(...known, "issued", "found", "failed", "not-sent", "unknown", "rejected", null, {}),
    );
    const keys = fc.constantFrom(
      ..."attemptId outcome sent invoiceNo transactionUuid claimToken buyer reason requestedBy refundId amountVnd full paymentId paidAt lines series invoiceDate errorCode errorMessage retries".split(
        " ",
      ),
    );
    const payloadArb = fc.dictionary(keys, fc.oneof(value, fc.record({ buyer: value, documentHash: value })));
    fc.assert(
      fc.property(fc.constantFrom(...ISSUANCE_EVENT_TYPES), payloadArb, fc.nat({ max: 3 }), (type, p, i) => {
        const decision = decide(states[i], ev(type, p as never), T0 + 5_000, RECORD, freshIds());
        expect(decision.effects.at(-1)?.type).toBe("RecordAudit");
      }),
      { numRuns: propertyRuns(2_000) },
    );
  });
});

describe("leases of any length, as tests configure them", () => {
  const firstCall = (policy: MerchantPolicy) => {
    const d = decide(undefined, payment(BUYER_B), T0, policy, freshIds());
    const call = d.effects.find((e) => e.type === "IssueInvoice");
    if (call?.type !== "IssueInvoice") throw new Error("no IssueInvoice");
    return { call, state: d.next };
  };

  it.each([1, 3, 4, 1_000, 6_000, 20_000, 59_999, 60_000, 60_001, SEND_LEASE_MS, 3_600_000])(
    "lease %i ms: a start window, and a call timeout that is positive and ends inside the lease",
    (lease) => {
      const { call } = firstCall({ ...RECORD, sendLeaseMs: lease });
      expect(call.leaseUntil - T0).toBe(lease);
      expect(call.startBy - T0).toBe(Math.min(SEND_START_WINDOW_MS, Math.floor(lease / 4)));
      for (const at of [T0, call.startBy]) {
        const timeout = providerCallTimeoutMs(call, at) as number;
        expect(timeout).toBeGreaterThan(0);
        expect(at + timeout).toBeLessThanOrEqual(call.leaseUntil);
      }
      expect(providerCallTimeoutMs(call, call.startBy + 1)).toBeUndefined();
    },
  );

  it("with the default lease the timeout is README's leaseUntil - now - 5 s", () => {
    const { call } = firstCall(RECORD);
    expect(providerCallTimeoutMs(call, T0 + 3_000)).toBe(call.leaseUntil - T0 - 3_000 - CALL_END_MARGIN_MS);
  });

  it("a 1 s lease: an unknown outcome is followed up two leases on, with a lookup first, never sooner", () => {
    const policy = { ...RECORD, sendLeaseMs: 1_000 };
    let state = firstCall(policy).state;
    const id = state?.invoices[0]?.attempts[0]?.attemptId as string;
    const step = (event: IssuanceEvent, at: number) => {
      const d = decide(state, event, at, policy, freshIds());
      state = d.next;
      return d.effects.filter((e) => e.type === "IssueInvoice");
    };
    expect(
      step(ev("SendResult", { attemptId: id, outcome: "unknown", errorCode: "TIMEOUT" }), T0 + 900),
    ).toEqual([]);
    expect(step(ev("WakeUp", { attemptId: id, reason: "retry" }), T0 + 1_000)).toEqual([]);
    expect(step(ev("WakeUp", { attemptId: id, reason: "lease" }), T0 + 1_999)).toEqual([]);
    expect(step(ev("WakeUp", { attemptId: id, reason: "lease" }), T0 + 2_000)).toMatchObject([
      { attempt: 2, lookupFirst: true },
    ]);
  });
});

describe("a repeated payment or refund id that says something else is surfaced, never dropped", () => {
  it("the same paymentId with another amount: a human case, the recorded payment kept", () => {
    const first = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    const again = payment(BUYER_B);
    const changed = {
      ...again,
      payload: {
        ...again.payload,
        amountVnd: 2_200_000,
        lines: [
          { name: "Gói dịch vụ", quantity: "2", unitPriceVnd: 1_000_000, vatCategory: "VAT10" as const },
        ],
      },
    } as IssuanceEvent;
    const d = decide(first, changed, T0 + 1_000, RECORD, freshIds());
    expect(d.effects).toContainEqual(
      expect.objectContaining({ type: "RecordForHuman", code: "CONFLICTING_DUPLICATE" }),
    );
    expect(d.next).toEqual(first);
    // A true repeat stays quiet.
    const same = decide(first, payment(BUYER_B), T0 + 1_000, RECORD, freshIds());
    expect(same.effects.map((e) => e.type)).toEqual(["RecordAudit"]);
  });

  it("the same refundId with another amount: a human case, the recorded refund kept", () => {
    let state = decide(undefined, payment(BUYER_B), T0, RECORD, freshIds()).next;
    const refund = (amountVnd: number) =>
      ev("PaymentRefunded", { refundId: "R-1", amountVnd, full: false }, { occurredAt: T0 + 10_000 });
    state = decide(state, refund(100_000), T0 + 10_000, RECORD, freshIds()).next;
    const d = decide(state, refund(300_000), T0 + 20_000, RECORD, freshIds());
    expect(d.effects).toContainEqual(
      expect.objectContaining({ type: "RecordForHuman", code: "CONFLICTING_DUPLICATE" }),
    );
    expect(d.next?.refunds).toEqual(state?.refunds);
    expect(
      decide(state, refund(100_000), T0 + 20_000, RECORD, freshIds()).effects.map((e) => e.type),
    ).toEqual(["RecordAudit"]);
  });
});
