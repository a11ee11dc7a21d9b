// Builders shared by the state machine's tests (not exported from the package).
import type {
  BuyerInfo,
  IssuanceEvent,
  IssuanceEventType,
  IssuancePayloads,
  OrderLine,
  SendOutcome,
  SendResultPayload,
  WakeUpReason,
} from "../events.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import { type MerchantPolicy, SEND_LEASE_MS } from "./policy.ts";
import type { OrderState } from "./state.ts";

export const T0 = Date.UTC(2026, 2, 15, 3, 0, 0);
export const NOW = T0 + 60_000;
export const HOUR = 3_600_000;

export const BUYER_B: BuyerInfo = {
  kind: "company",
  name: "Công ty B",
  taxCode: "0100109106",
  address: "Hà Nội",
};
export const BUYER_C: BuyerInfo = {
  kind: "company",
  name: "Công ty C",
  taxCode: "0300588569",
  address: "TP.HCM",
};
export const BUYER_D: BuyerInfo = { kind: "individual", name: "Nguyễn Văn D", personalId: "001099012345" };

export const RECORD: MerchantPolicy = { claimWindowMs: HOUR, buyerChangeAfterIssuance: "record" };
export const ADJUST: MerchantPolicy = { ...RECORD, buyerChangeAfterIssuance: "adjust" };
export const REPLACE: MerchantPolicy = { ...RECORD, buyerChangeAfterIssuance: "replace" };

let counter = 0;

/** An event of the test order; eventIds are unique unless given. */
export function ev<T extends IssuanceEventType>(
  type: T,
  payload: IssuancePayloads[T],
  options: { eventId?: string; occurredAt?: number; orderId?: string } = {},
): IssuanceEvent {
  counter += 1;
  return {
    eventId: options.eventId ?? `evt-${counter}`,
    orderId: options.orderId ?? "ORD-1",
    merchantId: "M-1",
    occurredAt: options.occurredAt ?? T0,
    type,
    payload,
  } as IssuanceEvent;
}

/** 1,000,000 VND at 10%: 1,100,000 VND paid. */
export const PAID_LINES: OrderLine[] = [
  { name: "Gói dịch vụ", quantity: "1", unitPriceVnd: 1_000_000, vatCategory: "VAT10" },
];
export const PAID = 1_100_000;

export const payment = (
  buyer?: BuyerInfo,
  options: { paymentId?: string; occurredAt?: number; paidAt?: number } = {},
) =>
  ev(
    "PaymentSucceeded",
    {
      paymentId: options.paymentId ?? "pay-1",
      amountVnd: PAID,
      paidAt: options.paidAt ?? options.occurredAt ?? T0,
      lines: PAID_LINES,
      ...(buyer ? { buyer } : {}),
    },
    { occurredAt: options.occurredAt ?? options.paidAt ?? T0 },
  );
export const request = (buyer: BuyerInfo, occurredAt = T0 + 1_000) =>
  ev("InvoiceRequested", { buyer }, { occurredAt });
export const submitClaim = (claimToken: string, buyer: BuyerInfo, occurredAt = T0 + 2_000) =>
  ev("ClaimSubmitted", { claimToken, buyer }, { occurredAt });
export const expireClaim = (claimToken: string) =>
  ev("ClaimExpired", { claimToken }, { occurredAt: T0 + HOUR });
export const replay = () => ev("ReplayRequested", { reason: "stuck", requestedBy: "ops@platform" });
export const refund = (
  amountVnd: number,
  full = false,
  refundId = `ref-${amountVnd}-${full}`,
  occurredAt = T0 + 10 * 60_000,
) => ev("PaymentRefunded", { refundId, amountVnd, full }, { occurredAt });
export const callback = (
  transactionUuid: string,
  outcome: "issued" | "failed" = "issued",
  invoiceNo = "101",
) =>
  ev(
    "ProviderCallback",
    outcome === "issued"
      ? { transactionUuid, outcome, invoiceNo }
      : { transactionUuid, outcome, errorCode: "VAT_AMOUNT_INVALID", errorMessage: "tax mismatch" },
  );

/** The current attempt of invoice `seq`. */
export function attemptOf(state: OrderState | undefined, seq: number) {
  return must(must(must(state).invoices.find((i) => i.seq === seq)).attempts.at(-1));
}

/** The issuer's report of the current call of invoice `seq`. Issued invoices get number 100 + seq. */
export function result(
  state: OrderState | undefined,
  seq: number,
  outcome: SendOutcome,
  extra: Partial<Omit<SendResultPayload, "attemptId" | "outcome">> = {},
): IssuanceEvent {
  const numbered = outcome === "issued" || outcome === "found" ? { invoiceNo: String(100 + seq) } : {};
  return ev("SendResult", { attemptId: attemptOf(state, seq).attemptId, outcome, ...numbered, ...extra });
}
export const issued = (state: OrderState | undefined, seq = 1, invoiceNo?: string) =>
  result(state, seq, "issued", invoiceNo === undefined ? {} : { invoiceNo });
export const rejected = (state: OrderState | undefined, seq = 1) =>
  result(state, seq, "rejected", { errorCode: "VAT_AMOUNT_INVALID", errorMessage: "tax mismatch" });
export const wake = (state: OrderState | undefined, seq?: number, reason: WakeUpReason = "retry") =>
  ev("WakeUp", seq === undefined ? { reason } : { attemptId: attemptOf(state, seq).attemptId, reason });
export const exhausted = (state: OrderState | undefined, seq = 1) =>
  ev("SendRetriesExhausted", {
    attemptId: attemptOf(state, seq).attemptId,
    retries: 5,
    errorCode: "TIMEOUT",
    errorMessage: "provider did not answer",
  });

let tokens = 0;
export const freshIds = () => ({
  claimToken: `00000000-0000-4000-8000-${String(++tokens).padStart(12, "0")}`,
});

/** Applies events in order, failing loudly on a rejection unless allowed. */
export function run(
  events: IssuanceEvent[],
  policy: MerchantPolicy = RECORD,
  start?: OrderState,
  now = NOW,
): { state: OrderState | undefined; decisions: Decision[] } {
  let state = start;
  const decisions: Decision[] = [];
  for (const event of events) {
    const decision = decide(state, event, now, policy, freshIds());
    decisions.push(decision);
    state = decision.next;
  }
  return { state, decisions };
}

/** Builds a state by applying events one by one, each step able to look at the state so far. */
export function build(
  steps: ((state: OrderState | undefined) => IssuanceEvent)[],
  policy: MerchantPolicy = RECORD,
  nowOf: (i: number) => number = () => NOW,
): OrderState | undefined {
  let state: OrderState | undefined;
  for (const [i, step] of steps.entries())
    state = decide(state, step(state), nowOf(i), policy, freshIds()).next;
  return state;
}

/**
 * Replays until a call that got no answer may be followed up: the first replay after the lease only
 * re-arms it, the one a lease later makes the calls. Returns the second decision.
 */
export function replayPastLeases(state: OrderState | undefined, policy: MerchantPolicy = RECORD): Decision {
  const lease = policy.sendLeaseMs ?? SEND_LEASE_MS;
  const first = decide(state, replay(), NOW + lease, policy, freshIds());
  return decide(first.next, replay(), NOW + 2 * lease, policy, freshIds());
}

/** Effect types without the audit record, publishes shown with their event type. */
export function summary(effects: Effect[]): string[] {
  return effects
    .filter((e) => e.type !== "RecordAudit")
    .map((e) => {
      if (e.type === "PublishInvoiceEvent") return `Publish:${e.event.type}`;
      if (e.type === "Reject") return `Reject:${e.code}`;
      if (e.type === "RecordForHuman") return `Human:${e.code}`;
      return e.type;
    });
}

export function auditOf(decision: Decision) {
  const audit = decision.effects.at(-1);
  if (audit?.type !== "RecordAudit") throw new Error("decision does not end with an audit record");
  return audit.audit;
}

export function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

/** The idempotency key of the order's invoice with sequence number `seq`. */
export function keyOfSeq(state: OrderState | undefined, seq: number): string {
  return must(must(state).invoices.find((i) => i.seq === seq)).transactionUuid;
}

/** The idempotency key of the order's invoice at `index`. */
export function keyOf(state: OrderState | undefined, index: number): string {
  return must(must(state).invoices[index]).transactionUuid;
}
