/**
 * The internal events the issuer feeds back to the machine, with the eventIds the contract fixes
 * (domain README "The issuer's contract"): never derived any other way, so ProcessedEvent dedupes a
 * repeat and never drops a new one.
 */
import type { ExternalIssuanceEvent, IssuanceEvent, SendResultPayload, WakeUpReason } from "@invoice/domain";
import type { IncomingRecord } from "@invoice/kafka";
import { DLQ_HEADERS, REPLAY_HEADERS } from "@invoice/processing";

type Order = Pick<ExternalIssuanceEvent, "orderId" | "merchantId">;

const envelope = (order: Order, eventId: string, occurredAt: number) => ({
  eventId,
  orderId: order.orderId,
  merchantId: order.merchantId,
  occurredAt,
});

export const sendResult = (order: Order, result: SendResultPayload, now: number): IssuanceEvent => ({
  ...envelope(order, `${result.attemptId}:result`, now),
  type: "SendResult",
  payload: result,
});

export const wakeUp = (
  order: Order,
  eventId: string,
  reason: WakeUpReason,
  attemptId: string | undefined,
  now: number,
): IssuanceEvent => ({
  ...envelope(order, eventId, now),
  type: "WakeUp",
  payload: { reason, ...(attemptId ? { attemptId } : {}) },
});

export const retriesExhausted = (
  order: Order,
  attemptId: string,
  retries: number,
  error: { code: string; message: string },
  now: number,
): IssuanceEvent => ({
  ...envelope(order, `${attemptId}:exhausted`, now),
  type: "SendRetriesExhausted",
  payload: { attemptId, retries, errorCode: error.code, errorMessage: error.message },
});

/** Header an operator tool sets on a re-published record (`invoice dlq replay`: ops:<operator>). */
export const REPLAY_REQUESTED_BY_HEADER = REPLAY_HEADERS.requestedBy;

/** Re-published by an operator: `invoice dlq replay`'s headers, or a DLQ record copied as it is. */
export function isOperatorReplay(record: IncomingRecord): boolean {
  const h = record.headers;
  return (
    h[REPLAY_HEADERS.requestedBy] !== undefined ||
    h[REPLAY_HEADERS.dlqTopic] !== undefined ||
    h[DLQ_HEADERS.reason] !== undefined
  );
}

/**
 * What to feed when a record arrives whose event was already applied: a DLQ re-publish asks to push
 * the order (ReplayRequested, which also resumes failed invoices); any other repeat is a redelivery
 * after a crash or rebalance (WakeUp recovery: calls still open get their lease checked).
 */
export function redeliveryEvent(
  event: ExternalIssuanceEvent,
  record: IncomingRecord,
  now: number,
): IssuanceEvent {
  const operator = record.headers[REPLAY_REQUESTED_BY_HEADER];
  if (isOperatorReplay(record)) {
    return {
      ...envelope(event, `${event.eventId}:republish:${record.timestamp}`, now),
      type: "ReplayRequested",
      payload: { reason: "dlq-republish", requestedBy: operator || "operator" },
    };
  }
  return wakeUp(
    event,
    `${event.eventId}:recovery:${record.partition}-${record.offset}`,
    "recovery",
    undefined,
    now,
  );
}
