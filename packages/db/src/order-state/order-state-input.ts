import { InvoiceStatus } from "../generated/prisma/enums.ts";
import {
  ORDER_STATE_LIMITS,
  type OrderKey,
  OrderStateInputError,
  type OrderStateWrite,
} from "./order-state-types.ts";

const STATUSES = new Set<string>(Object.values(InvoiceStatus));

/** Map key of an order; the NUL byte cannot occur in a PostgreSQL text value. */
export const keyOf = (key: OrderKey): string => `${key.merchantId}\u0000${key.orderId}`;

function checkText(value: unknown, what: string, maxLength: number): void {
  // PostgreSQL text cannot hold NUL: such a value would fail the whole batch's statement.
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > maxLength ||
    value.includes("\u0000")
  ) {
    throw new OrderStateInputError(`${what} must be a string of 1 to ${maxLength} characters without NUL`);
  }
}

export function checkKey(key: OrderKey, where: string): void {
  checkText(key?.merchantId, `${where}: merchantId`, ORDER_STATE_LIMITS.merchantIdLength);
  checkOrderId(key?.orderId, where);
}

export function checkOrderId(orderId: string, where: string): void {
  checkText(orderId, `${where}: orderId`, ORDER_STATE_LIMITS.orderIdLength);
}

export function checkConsumer(consumer: string): void {
  checkText(consumer, "consumer", ORDER_STATE_LIMITS.consumerLength);
}

/**
 * Event ids, each at most once in the whole call: the same event in two places of one batch has no
 * single meaning (which state includes it?), and the caller has to collapse it first.
 */
export function checkEventIds(eventIds: Iterable<string>, seen = new Set<string>()): Set<string> {
  for (const eventId of eventIds) {
    checkText(eventId, "eventId", ORDER_STATE_LIMITS.eventIdLength);
    if (seen.has(eventId)) throw new OrderStateInputError(`event ${eventId} appears twice in one call`);
    seen.add(eventId);
  }
  return seen;
}

export function checkWrites(writes: readonly OrderStateWrite[]): void {
  const keys = new Set<string>();
  const eventIds = new Set<string>();
  writes.forEach((write, index) => {
    const where = `write ${index}`;
    checkKey(write.key, where);
    const key = keyOf(write.key);
    // One UPDATE cannot apply two rows to one target row with a defined result.
    if (keys.has(key)) throw new OrderStateInputError(`${where}: order appears twice in one batch`);
    keys.add(key);
    if (!STATUSES.has(write.status)) throw new OrderStateInputError(`${where}: unknown status`);
    const { document } = write;
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
      throw new OrderStateInputError(`${where}: document must be a JSON object`);
    }
    const expected = write.expectedVersion;
    if (expected !== null && (!Number.isSafeInteger(expected) || expected < 1)) {
      throw new OrderStateInputError(`${where}: expectedVersion must be null or an integer >= 1`);
    }
    checkEventIds(write.eventIds ?? [], eventIds);
  });
}

/** The one JSON parameter a statement reads its rows from (jsonb_to_recordset). */
export function toJsonParameter(rows: unknown[]): string {
  try {
    return JSON.stringify(rows);
  } catch (error) {
    // A BigInt or a cycle in a document: the issuer must encode it (money as a string, say).
    throw new OrderStateInputError("a document cannot be serialised to JSON", { cause: error });
  }
}
