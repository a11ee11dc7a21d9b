// Builders shared by the state machine's tests (not exported from the package).
import type { BuyerInfo, IssuanceEvent, IssuanceEventType, IssuancePayloads } from "../events.ts";
import { type Decision, decide } from "./decide.ts";
import type { Effect } from "./effects.ts";
import type { MerchantPolicy } from "./policy.ts";
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

export const payment = (
  buyer?: BuyerInfo,
  options: { paymentId?: string; occurredAt?: number; paidAt?: number } = {},
) =>
  ev(
    "PaymentSucceeded",
    {
      paymentId: options.paymentId ?? "pay-1",
      amountVnd: 1_100_000,
      paidAt: options.paidAt ?? options.occurredAt ?? T0,
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

let tokens = 0;
export const freshIds = () => ({
  claimToken: `00000000-0000-4000-8000-${String(++tokens).padStart(12, "0")}`,
});

/** Applies events in order, failing loudly on a rejection unless allowed. */
export function run(
  events: IssuanceEvent[],
  policy: MerchantPolicy = RECORD,
  start?: OrderState,
): { state: OrderState | undefined; decisions: Decision[] } {
  let state = start;
  const decisions: Decision[] = [];
  for (const event of events) {
    const decision = decide(state, event, NOW, policy, freshIds());
    decisions.push(decision);
    state = decision.next;
  }
  return { state, decisions };
}

/** Builds a state by applying events one by one, each step able to look at the state so far. */
export function build(
  steps: ((state: OrderState | undefined) => IssuanceEvent)[],
  policy: MerchantPolicy = RECORD,
): OrderState | undefined {
  let state: OrderState | undefined;
  for (const step of steps) state = decide(state, step(state), NOW, policy, freshIds()).next;
  return state;
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
