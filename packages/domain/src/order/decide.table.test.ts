import { describe, expect, it } from "vitest";
import type { IssuanceEvent, IssuanceEventType } from "../events.ts";
import { decide } from "./decide.ts";
import { type MerchantPolicy, SEND_LEASE_MS } from "./policy.ts";
import type { OrderState, OrderStatus } from "./state.ts";
import {
  ADJUST,
  auditOf,
  BUYER_B,
  BUYER_C,
  build,
  callback,
  ev,
  exhausted,
  expireClaim,
  freshIds,
  HOUR,
  issued,
  NOW,
  PAID,
  payment,
  RECORD,
  REPLACE,
  refund,
  rejected,
  replay,
  request,
  result,
  submitClaim,
  summary,
  T0,
  wake,
} from "./test-support.ts";

const POLICIES: [string, MerchantPolicy][] = [
  ["record", RECORD],
  ["adjust", ADJUST],
  ["replace", REPLACE],
];

type StateName = "none" | OrderStatus;

const last = (s: OrderState | undefined) => s?.invoices.at(-1)?.transactionUuid ?? "unknown-transaction-uuid";
const lastSeq = (s: OrderState | undefined) => s?.invoices.at(-1)?.seq;
const token = (s: OrderState | undefined) => s?.claim?.token ?? "unknown-claim-token";
const NO_ATTEMPT = "00000000-0000-5000-8000-000000000000:1";
/** A provider call's report for the order's latest invoice (or for an attempt it never had). */
const reportFor = (
  s: OrderState | undefined,
  make: (seq: number) => IssuanceEvent,
  type: "SendResult" | "SendRetriesExhausted",
) => {
  const seq = lastSeq(s);
  if (seq !== undefined) return make(seq);
  return type === "SendResult"
    ? ev("SendResult", { attemptId: NO_ATTEMPT, outcome: "unknown" })
    : ev("SendRetriesExhausted", { attemptId: NO_ATTEMPT, retries: 1, errorCode: "X", errorMessage: "" });
};

/** Every state of DESIGN.md section 4, reached through real events. */
const STATES: Record<StateName, () => OrderState | undefined> = {
  none: () => undefined,
  REQUESTED: () => build([() => request(BUYER_B)]),
  AWAITING_CLAIM: () => build([() => payment()]),
  ISSUING: () => build([() => payment(BUYER_B)]),
  ISSUED: () => build([() => payment(BUYER_B), (s) => issued(s, 1)]),
  FAILED: () => build([() => payment(BUYER_B), (s) => rejected(s, 1)]),
  ADJUSTED: () => build([() => payment(BUYER_B), (s) => issued(s, 1), () => refund(100_000)]),
  // Anonymous after expiry (at the deadline), then B asked after issuance and the merchant allows
  // replacements: the replacement is on its way.
  REPLACED: () =>
    build(
      [
        () => payment(),
        (s) => expireClaim(token(s)),
        (s) => issued(s, 1),
        () => request(BUYER_B, NOW - 1_000),
      ],
      REPLACE,
      (i) => (i === 0 ? NOW : T0 + HOUR),
    ),
};

/** When the table decides in each state: right after it was reached. */
const DECIDED_AT: Record<StateName, number> = {
  none: NOW,
  REQUESTED: NOW,
  AWAITING_CLAIM: NOW,
  ISSUING: NOW,
  ISSUED: NOW,
  FAILED: NOW,
  ADJUSTED: NOW,
  REPLACED: T0 + HOUR + 1_000,
};

/** One representative event of each type for a state (ids matched to the state where it has them). */
const EVENTS: Record<IssuanceEventType, (s: OrderState | undefined) => IssuanceEvent> = {
  PaymentSucceeded: () => payment(),
  InvoiceRequested: () => request(BUYER_C, NOW),
  ClaimSubmitted: (s) => submitClaim(token(s), BUYER_C),
  ClaimExpired: (s) => expireClaim(token(s)),
  ReplayRequested: () => replay(),
  PaymentRefunded: () => refund(100_000, false, "ref-table"),
  ProviderCallback: (s) => callback(last(s), "issued", String(100 + (lastSeq(s) ?? 0))),
  SendResult: (s) => reportFor(s, (seq) => result(s, seq, "unknown"), "SendResult"),
  WakeUp: (s) =>
    lastSeq(s) === undefined ? ev("WakeUp", { reason: "recovery" }) : wake(s, lastSeq(s), "lease"),
  SendRetriesExhausted: (s) => reportFor(s, (seq) => exhausted(s, seq), "SendRetriesExhausted"),
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
const WAKE = ["ScheduleWakeUp"];
const REJECT_ATTEMPT = ["Reject:UNKNOWN_ATTEMPT"];
const UNKNOWN_OUTCOME = ["Publish:InvoiceFailed", "Human:SEND_OUTCOME_UNKNOWN", "Publish:ReviewRequired"];
const CORRECTION_FAILED = ["Human:CORRECTION_FAILED", "Publish:ReviewRequired"];
const TABLE: Expect[] = [
  ["none", "PaymentSucceeded", "AWAITING_CLAIM", ["OpenClaim", "Publish:ClaimOpened"]],
  ["none", "InvoiceRequested", "REQUESTED", []],
  ["none", "ClaimSubmitted", "none", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["none", "ClaimExpired", "none", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["none", "ReplayRequested", "none", ["Reject:NOTHING_TO_REPLAY"]],
  ["none", "PaymentRefunded", "REQUESTED", []], // recorded until the payment arrives
  ["none", "ProviderCallback", "none", ["Reject:UNKNOWN_TRANSACTION"]],
  ["none", "SendResult", "none", REJECT_ATTEMPT],
  ["none", "WakeUp", "none", REJECT_ATTEMPT],
  ["none", "SendRetriesExhausted", "none", REJECT_ATTEMPT],

  ["REQUESTED", "PaymentSucceeded", "ISSUING", ["IssueInvoice"]],
  ["REQUESTED", "InvoiceRequested", "REQUESTED", []],
  ["REQUESTED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["REQUESTED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["REQUESTED", "ReplayRequested", "unchanged", ["Reject:NOTHING_TO_REPLAY"]],
  ["REQUESTED", "PaymentRefunded", "REQUESTED", []],
  ["REQUESTED", "ProviderCallback", "unchanged", ["Reject:UNKNOWN_TRANSACTION"]],
  ["REQUESTED", "SendResult", "unchanged", REJECT_ATTEMPT],
  ["REQUESTED", "WakeUp", "REQUESTED", []],
  ["REQUESTED", "SendRetriesExhausted", "unchanged", REJECT_ATTEMPT],

  ["AWAITING_CLAIM", "PaymentSucceeded", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "InvoiceRequested", "ISSUING", ["CloseClaim", "Publish:ClaimResolved", "IssueInvoice"]],
  ["AWAITING_CLAIM", "ClaimSubmitted", "ISSUING", ["CloseClaim", "Publish:ClaimResolved", "IssueInvoice"]],
  ["AWAITING_CLAIM", "ClaimExpired", "AWAITING_CLAIM", WAKE], // before the deadline: deferred to it
  ["AWAITING_CLAIM", "ReplayRequested", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "PaymentRefunded", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "ProviderCallback", "unchanged", ["Reject:UNKNOWN_TRANSACTION"]],
  ["AWAITING_CLAIM", "SendResult", "unchanged", REJECT_ATTEMPT],
  ["AWAITING_CLAIM", "WakeUp", "AWAITING_CLAIM", []],
  ["AWAITING_CLAIM", "SendRetriesExhausted", "unchanged", REJECT_ATTEMPT],

  ["ISSUING", "PaymentSucceeded", "ISSUING", []],
  ["ISSUING", "InvoiceRequested", "ISSUING", []],
  ["ISSUING", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUING", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUING", "ReplayRequested", "ISSUING", WAKE], // send in its lease: not resent
  ["ISSUING", "PaymentRefunded", "ISSUING", []],
  ["ISSUING", "ProviderCallback", "ISSUED", ["Publish:InvoiceIssued"]],
  ["ISSUING", "SendResult", "ISSUING", WAKE], // unknown outcome: followed up after the lease
  ["ISSUING", "WakeUp", "ISSUING", WAKE],
  ["ISSUING", "SendRetriesExhausted", "FAILED", UNKNOWN_OUTCOME],

  ["ISSUED", "PaymentSucceeded", "ISSUED", []],
  ["ISSUED", "InvoiceRequested", "ISSUED", LATE],
  ["ISSUED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ISSUED", "ReplayRequested", "ISSUED", ["Publish:InvoiceIssued"]],
  ["ISSUED", "PaymentRefunded", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
  ["ISSUED", "ProviderCallback", "ISSUED", []],
  ["ISSUED", "SendResult", "ISSUED", []], // the attempt was answered already
  ["ISSUED", "WakeUp", "ISSUED", []],
  ["ISSUED", "SendRetriesExhausted", "ISSUED", []],

  ["FAILED", "PaymentSucceeded", "FAILED", []],
  ["FAILED", "InvoiceRequested", "FAILED", []],
  ["FAILED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["FAILED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["FAILED", "ReplayRequested", "ISSUING", ["IssueInvoice"]],
  ["FAILED", "PaymentRefunded", "FAILED", []],
  ["FAILED", "ProviderCallback", "ISSUED", ["Publish:InvoiceIssued"]],
  ["FAILED", "SendResult", "FAILED", []],
  ["FAILED", "WakeUp", "FAILED", []], // a failed invoice waits for a replay
  ["FAILED", "SendRetriesExhausted", "FAILED", []],

  ["ADJUSTED", "PaymentSucceeded", "ADJUSTED", []],
  ["ADJUSTED", "InvoiceRequested", "ADJUSTED", LATE],
  ["ADJUSTED", "ClaimSubmitted", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ADJUSTED", "ClaimExpired", "unchanged", ["Reject:CLAIM_TOKEN_UNKNOWN"]],
  ["ADJUSTED", "ReplayRequested", "ADJUSTED", WAKE],
  ["ADJUSTED", "PaymentRefunded", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
  ["ADJUSTED", "ProviderCallback", "ADJUSTED", ["Publish:InvoiceIssued"]],
  ["ADJUSTED", "SendResult", "ADJUSTED", WAKE],
  ["ADJUSTED", "WakeUp", "ADJUSTED", WAKE],
  ["ADJUSTED", "SendRetriesExhausted", "ISSUED", [...UNKNOWN_OUTCOME, ...CORRECTION_FAILED]],

  ["REPLACED", "PaymentSucceeded", "REPLACED", []],
  ["REPLACED", "InvoiceRequested", "REPLACED", []], // replacement still issuing: the change waits
  ["REPLACED", "ClaimSubmitted", "REPLACED", []],
  ["REPLACED", "ClaimExpired", "REPLACED", []],
  ["REPLACED", "ReplayRequested", "REPLACED", WAKE],
  ["REPLACED", "PaymentRefunded", "REPLACED", []],
  ["REPLACED", "ProviderCallback", "REPLACED", ["Publish:InvoiceIssued"]],
  ["REPLACED", "SendResult", "REPLACED", WAKE],
  ["REPLACED", "WakeUp", "REPLACED", WAKE],
  // The replacement may stand at the provider: it keeps its predecessor's place until a lookup says.
  ["REPLACED", "SendRetriesExhausted", "ISSUED", [...UNKNOWN_OUTCOME, ...CORRECTION_FAILED]],
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
  it("covers all 8 x 10 pairs, three times", () => {
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
    const decision = decide(state, event, DECIDED_AT[stateName], policy, freshIds());
    expect(summary(decision.effects)).toEqual(effects);
    const expected = after === "unchanged" ? stateName : after;
    expect(decision.next?.status ?? "none").toBe(expected);
    const audits = decision.effects.filter((e) => e.type === "RecordAudit");
    expect(audits).toHaveLength(1);
    expect(decision.effects.at(-1)?.type).toBe("RecordAudit");
    expect(auditOf(decision).eventId).toBe(event.eventId);
    if (effects.some((e) => e.startsWith("Reject:"))) {
      // A rejected event changes nothing; the caller does not mark it processed.
      expect(decision.next).toBe(state);
      expect(auditOf(decision).outcome).toBe("rejected");
    }
  });
});

const AFTER_LEASES: [StateName, StateName, string][] = [
  ["ISSUING", "ISSUING", "IssueInvoice"],
  ["ADJUSTED", "ADJUSTED", "IssueAdjustment"],
  ["REPLACED", "REPLACED", "IssueReplacement"],
];

describe("decide: replays once a call's lease has passed", () => {
  it.each(AFTER_LEASES)(
    "%s -> %s: re-armed once, then resent with a lookup first",
    (stateName, after, send) => {
      const state = STATES[stateName]();
      const at = DECIDED_AT[stateName] + SEND_LEASE_MS;
      const first = decide(state, replay(), at, RECORD, freshIds());
      expect(summary(first.effects)).toEqual(["ScheduleWakeUp"]);
      const decision = decide(first.next, replay(), at + SEND_LEASE_MS, RECORD, freshIds());
      expect(summary(decision.effects)).toEqual([send]);
      expect(decision.next?.status).toBe(after);
      expect(decision.effects[0]).toMatchObject({ attempt: 2, lookupFirst: true });
      // The resend is in flight again: an immediate second replay sends nothing.
      const again = decide(decision.next, replay(), at + SEND_LEASE_MS + 1, RECORD, freshIds());
      expect(summary(again.effects)).toEqual(["ScheduleWakeUp"]);
    },
  );
});

const FULL_REFUND: [StateName, StateName, string[]][] = [
  ["AWAITING_CLAIM", "FAILED", ["CloseClaim", "Publish:ClaimResolved"]],
  // The send may still create it: cancelled, and its lease is watched so that a lookup can follow.
  ["ISSUING", "FAILED", ["CancelPendingIssuance", "Publish:IssuanceCancelled", "ScheduleWakeUp"]],
  ["FAILED", "FAILED", ["CancelPendingIssuance", "Publish:IssuanceCancelled"]],
  ["ISSUED", "ADJUSTED", ["IssueAdjustment", "Publish:CorrectionStarted"]],
];

describe("decide: full refund in each paid state", () => {
  it.each(POLICIES.flatMap(([name, policy]) => FULL_REFUND.map((row) => [name, policy, ...row] as const)))(
    "[%s] %s -> %s",
    (_name, policy, stateName, after, effects) => {
      const decision = decide(STATES[stateName](), refund(PAID, true), NOW, policy, freshIds());
      expect(summary(decision.effects)).toEqual(effects);
      expect(decision.next?.status).toBe(after);
      if (after === "FAILED") expect(decision.next?.failure?.code).toBe("REFUNDED_BEFORE_ISSUANCE");
    },
  );
});

const REJECTED_SEND: [StateName, StateName, string[]][] = [
  ["ISSUING", "FAILED", ["Publish:InvoiceFailed"]],
  ["ISSUED", "ISSUED", []], // the attempt was answered already
  ["FAILED", "FAILED", []],
  ["ADJUSTED", "ISSUED", ["Publish:InvoiceFailed", ...CORRECTION_FAILED]],
  ["REPLACED", "ISSUED", ["Publish:InvoiceFailed", ...CORRECTION_FAILED]],
];

describe("decide: the provider refuses the current call, in each issuing-related state", () => {
  it.each(POLICIES.flatMap(([name, policy]) => REJECTED_SEND.map((row) => [name, policy, ...row] as const)))(
    "[%s] %s -> %s",
    (_name, policy, stateName, after, effects) => {
      const state = STATES[stateName]();
      const decision = decide(
        state,
        rejected(state, lastSeq(state)),
        DECIDED_AT[stateName],
        policy,
        freshIds(),
      );
      expect(summary(decision.effects)).toEqual(effects);
      expect(decision.next?.status).toBe(after);
    },
  );
});

const FAILED_NOTICE: StateName[] = ["ISSUING", "ISSUED", "FAILED", "ADJUSTED", "REPLACED"];

describe("decide: the provider's own 'failed' notice never fails an invoice", () => {
  it.each(POLICIES.flatMap(([name, policy]) => FAILED_NOTICE.map((row) => [name, policy, row] as const)))(
    "[%s] %s stays as it is",
    (_name, policy, stateName) => {
      const state = STATES[stateName]();
      const decision = decide(
        state,
        callback(last(state), "failed"),
        DECIDED_AT[stateName],
        policy,
        freshIds(),
      );
      expect(summary(decision.effects)).toEqual([]);
      expect(decision.next).toBe(state);
    },
  );
});
