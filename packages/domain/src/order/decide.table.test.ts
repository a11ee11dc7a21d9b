import { describe, expect, it } from "vitest";
import type { IssuanceEvent, IssuanceEventType } from "../events.ts";
import { decide } from "./decide.ts";
import type { MerchantPolicy } from "./policy.ts";
import { SEND_IN_FLIGHT_GUARD_MS } from "./policy.ts";
import type { OrderState, OrderStatus } from "./state.ts";
import {
  ADJUST,
  BUYER_B,
  BUYER_C,
  build,
  callback,
  expireClaim,
  freshIds,
  NOW,
  payment,
  RECORD,
  REPLACE,
  refund,
  replay,
  request,
  submitClaim,
  summary,
} from "./test-support.ts";

const POLICIES: [string, MerchantPolicy][] = [
  ["record", RECORD],
  ["adjust", ADJUST],
  ["replace", REPLACE],
];

type StateName = "none" | OrderStatus;

const last = (s: OrderState | undefined) => s?.invoices.at(-1)?.transactionUuid ?? "unknown-transaction-uuid";
const token = (s: OrderState | undefined) => s?.claim?.token ?? "unknown-claim-token";

/** Every state of DESIGN.md section 4, reached through real events. */
const STATES: Record<StateName, () => OrderState | undefined> = {
  none: () => undefined,
  REQUESTED: () => build([() => request(BUYER_B)]),
  AWAITING_CLAIM: () => build([() => payment()]),
  ISSUING: () => build([() => payment(BUYER_B)]),
  ISSUED: () => build([() => payment(BUYER_B), (s) => callback(last(s))]),
  FAILED: () => build([() => payment(BUYER_B), (s) => callback(last(s), "failed")]),
  ADJUSTED: () => build([() => payment(BUYER_B), (s) => callback(last(s)), () => refund(100_000)]),
  // Anonymous after expiry, then B asked after issuance and the merchant allows replacements.
  REPLACED: () =>
    build(
      [() => payment(), (s) => expireClaim(token(s)), (s) => callback(last(s)), () => request(BUYER_B, NOW)],
      REPLACE,
    ),
};

/** One representative event of each type for a state (ids matched to the state where it has them). */
const EVENTS: Record<IssuanceEventType, (s: OrderState | undefined) => IssuanceEvent> = {
  PaymentSucceeded: () => payment(),
  InvoiceRequested: () => request(BUYER_C, NOW),
  ClaimSubmitted: (s) => submitClaim(token(s), BUYER_C),
  ClaimExpired: (s) => expireClaim(token(s)),
  ReplayRequested: () => replay(),
  PaymentRefunded: () => refund(100_000, false, "ref-table"),
  ProviderCallback: (s) => callback(last(s)),
};

type Outcome = [StateName | "unchanged", string[]];
type Expect = [StateName, IssuanceEventType, ...Outcome];

const CORRECTION = ["Publish:CorrectionStarted"];
const LATE = ["Human:LATE_BUYER_CHANGE", "Publish:ReviewRequired"];

/**
 * Where the merchant's buyerChangeAfterIssuance policy changes the outcome (TABLE holds the `record`
 * outcome). An order that already has an adjustment is adjusted again even under `replace`: a
 * follow-up correction uses the same method as the first.
 */
const BY_POLICY: Record<string, Partial<Record<"adjust" | "replace", Outcome>>> = {
  "ISSUED/InvoiceRequested": {
    adjust: ["ADJUSTED", ["IssueAdjustment", ...CORRECTION]],
    replace: ["REPLACED", ["IssueReplacement", ...CORRECTION]],
  },
  "ADJUSTED/InvoiceRequested": {
    adjust: ["ADJUSTED", ["IssueAdjustment", ...CORRECTION]],
    replace: ["ADJUSTED", ["IssueAdjustment", ...CORRECTION]],
  },
};

// [state, event, status after, effects besides the audit record]
const TABLE: Expect[] = [
  ["none", "PaymentSucceeded", "AWAITING_CLAIM", ["OpenClaim", "Publish:ClaimOpened"]],
  ["none", "InvoiceRequested", "REQUESTED", []],
  ["none", "ClaimSubmitted", "none", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["none", "ClaimExpired", "none", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["none", "ReplayRequested", "none", ["Reject:NOTHING_TO_REPLAY"]],
  ["none", "PaymentRefunded", "none", ["Reject:PAYMENT_NOT_SEEN"]],
  ["none", "ProviderCallback", "none", ["Reject:UNKNOWN_TRANSACTION"]],

  ["REQUESTED", "PaymentSucceeded", "ISSUING", ["IssueInvoice"]],
  ["REQUESTED", "InvoiceRequested", "REQUESTED", []],
  ["REQUESTED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["REQUESTED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["REQUESTED", "ReplayRequested", "unchanged", ["Reject:NOTHING_TO_REPLAY"]],
  ["REQUESTED", "PaymentRefunded", "unchanged", ["Reject:PAYMENT_NOT_SEEN"]],
  ["REQUESTED", "ProviderCallback", "unchanged", ["Reject:UNKNOWN_TRANSACTION"]],

  ["AWAITING_CLAIM", "PaymentSucceeded", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "InvoiceRequested", "ISSUING", ["CloseClaim", "Publish:ClaimResolved", "IssueInvoice"]],
  ["AWAITING_CLAIM", "ClaimSubmitted", "ISSUING", ["CloseClaim", "Publish:ClaimResolved", "IssueInvoice"]],
  ["AWAITING_CLAIM", "ClaimExpired", "ISSUING", ["CloseClaim", "Publish:ClaimExpired", "IssueInvoice"]],
  ["AWAITING_CLAIM", "ReplayRequested", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "PaymentRefunded", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "ProviderCallback", "unchanged", ["Reject:UNKNOWN_TRANSACTION"]],

  ["ISSUING", "PaymentSucceeded", "ISSUING", []],
  ["ISSUING", "InvoiceRequested", "ISSUING", []],
  ["ISSUING", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUING", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUING", "ReplayRequested", "ISSUING", []], // send in flight: not resent inside the guard
  ["ISSUING", "PaymentRefunded", "ISSUING", []],
  ["ISSUING", "ProviderCallback", "ISSUED", ["Publish:InvoiceIssued"]],

  ["ISSUED", "PaymentSucceeded", "ISSUED", []],
  ["ISSUED", "InvoiceRequested", "ISSUED", LATE],
  ["ISSUED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUED", "ReplayRequested", "ISSUED", ["Publish:InvoiceIssued"]],
  ["ISSUED", "PaymentRefunded", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
  ["ISSUED", "ProviderCallback", "ISSUED", []],

  ["FAILED", "PaymentSucceeded", "FAILED", []],
  ["FAILED", "InvoiceRequested", "FAILED", []],
  ["FAILED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["FAILED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["FAILED", "ReplayRequested", "ISSUING", ["ResumeIssuance"]],
  ["FAILED", "PaymentRefunded", "FAILED", []],
  ["FAILED", "ProviderCallback", "ISSUED", ["Publish:InvoiceIssued"]],

  ["ADJUSTED", "PaymentSucceeded", "ADJUSTED", []],
  ["ADJUSTED", "InvoiceRequested", "ADJUSTED", LATE],
  ["ADJUSTED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ADJUSTED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ADJUSTED", "ReplayRequested", "ADJUSTED", []],
  ["ADJUSTED", "PaymentRefunded", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
  ["ADJUSTED", "ProviderCallback", "ADJUSTED", ["Publish:InvoiceIssued"]],

  ["REPLACED", "PaymentSucceeded", "REPLACED", []],
  ["REPLACED", "InvoiceRequested", "REPLACED", []], // replacement still issuing: the change waits
  ["REPLACED", "ClaimSubmitted", "REPLACED", []],
  ["REPLACED", "ClaimExpired", "REPLACED", []],
  ["REPLACED", "ReplayRequested", "REPLACED", []],
  ["REPLACED", "PaymentRefunded", "REPLACED", []],
  ["REPLACED", "ProviderCallback", "REPLACED", ["Publish:InvoiceIssued"]],
];

const CASES = POLICIES.flatMap(([name, policy]) =>
  TABLE.map(
    ([stateName, eventType, after, effects]): [
      string,
      StateName,
      IssuanceEventType,
      MerchantPolicy,
      ...Outcome,
    ] => {
      const override =
        name === "record"
          ? undefined
          : BY_POLICY[`${stateName}/${eventType}`]?.[name as "adjust" | "replace"];
      return [name, stateName, eventType, policy, ...(override ?? [after, effects])];
    },
  ),
);

describe("decide: every (state, event) pair under every buyer-change policy", () => {
  it("covers all 8 x 7 pairs, three times", () => {
    const pairs = new Set(TABLE.map(([s, e]) => `${s}/${e}`));
    expect(pairs.size).toBe(Object.keys(STATES).length * Object.keys(EVENTS).length);
    expect(CASES).toHaveLength(3 * pairs.size);
  });

  it("sets up each named state", () => {
    for (const [name, make] of Object.entries(STATES)) {
      expect(make()?.status ?? "none").toBe(name);
    }
  });

  it.each(CASES)("[%s] %s + %s", (_name, stateName, eventType, policy, after, effects) => {
    const state = STATES[stateName]();
    const event = EVENTS[eventType](state);
    const decision = decide(state, event, NOW, policy, freshIds());
    expect(summary(decision.effects)).toEqual(effects);
    expect(decision.duplicate).toBeUndefined();
    const expected = after === "unchanged" ? stateName : after;
    expect(decision.next?.status ?? "none").toBe(expected);
    const audits = decision.effects.filter((e) => e.type === "RecordAudit");
    expect(audits).toHaveLength(1);
    expect(decision.effects.at(-1)?.type).toBe("RecordAudit");
    if (effects.some((e) => e.startsWith("Reject:"))) {
      // A rejected event changes nothing and is not remembered, so redelivery is evaluated again.
      expect(decision.next).toBe(state);
    } else {
      expect(decision.next?.appliedEventIds.at(-1)).toBe(event.eventId);
      // ...and the same event again is a duplicate with no effects.
      const again = decide(decision.next, event, NOW, policy, freshIds());
      expect(again).toEqual({ next: decision.next, effects: [], duplicate: true });
    }
  });
});

const AFTER_GUARD: [StateName, StateName, string[]][] = [
  ["ISSUING", "ISSUING", ["ResumeIssuance"]],
  ["ADJUSTED", "ADJUSTED", ["ResumeIssuance"]],
  ["REPLACED", "REPLACED", ["ResumeIssuance"]],
];

describe("decide: a replay once the in-flight guard has passed", () => {
  it.each(AFTER_GUARD)("%s -> %s with a lookup-first resume", (stateName, after, effects) => {
    const state = STATES[stateName]();
    const later = NOW + SEND_IN_FLIGHT_GUARD_MS;
    const decision = decide(state, replay(), later, RECORD, freshIds());
    expect(summary(decision.effects)).toEqual(effects);
    expect(decision.next?.status).toBe(after);
    const resume = decision.effects.find((e) => e.type === "ResumeIssuance");
    expect(resume).toMatchObject({ lookupFirst: true, previousSendStartedAt: NOW });
    // The resumed send is in flight again: an immediate second replay does nothing.
    const again = decide(decision.next, replay(), later + 1, RECORD, freshIds());
    expect(summary(again.effects)).toEqual([]);
  });
});

const FULL_REFUND: [StateName, StateName, string[]][] = [
  ["AWAITING_CLAIM", "FAILED", ["CloseClaim", "Publish:ClaimResolved"]],
  ["ISSUING", "FAILED", ["CancelPendingIssuance", "Publish:IssuanceCancelled"]],
  ["FAILED", "FAILED", ["CancelPendingIssuance", "Publish:IssuanceCancelled"]],
  ["ISSUED", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
];

describe("decide: full refund in each paid state", () => {
  it.each(POLICIES.flatMap(([name, policy]) => FULL_REFUND.map((row) => [name, policy, ...row] as const)))(
    "[%s] %s -> %s",
    (_name, policy, stateName, after, effects) => {
      const decision = decide(STATES[stateName](), refund(1_100_000, true), NOW, policy, freshIds());
      expect(summary(decision.effects)).toEqual(effects);
      expect(decision.next?.status).toBe(after);
      if (after === "FAILED") expect(decision.next?.failure?.code).toBe("REFUNDED_BEFORE_ISSUANCE");
    },
  );
});

const FAILED_CALLBACK: [StateName, StateName, string[]][] = [
  ["ISSUING", "FAILED", ["Publish:InvoiceFailed"]],
  ["ISSUED", "ISSUED", []], // a stale failure of an earlier attempt under the same key
  ["FAILED", "FAILED", []],
  ["ADJUSTED", "ISSUED", ["Publish:InvoiceFailed", "Human:CORRECTION_FAILED", "Publish:ReviewRequired"]],
  ["REPLACED", "ISSUED", ["Publish:InvoiceFailed", "Human:CORRECTION_FAILED", "Publish:ReviewRequired"]],
];

describe("decide: a failed provider result in each issuing-related state", () => {
  it.each(
    POLICIES.flatMap(([name, policy]) => FAILED_CALLBACK.map((row) => [name, policy, ...row] as const)),
  )("[%s] %s -> %s", (_name, policy, stateName, after, effects) => {
    const state = STATES[stateName]();
    const decision = decide(state, callback(last(state), "failed"), NOW, policy, freshIds());
    expect(summary(decision.effects)).toEqual(effects);
    expect(decision.next?.status).toBe(after);
  });
});
