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

/**
 * What PostgreSQL cannot store, and which would fail the whole batch's statement (every row of it travels
 * in one jsonb parameter): NUL (22P05, "unsupported Unicode escape sequence": neither text nor jsonb holds
 * it) and UTF-16 surrogates without their pair (22P02: not Unicode, so not valid JSON to jsonb).
 * JSON.parse of a webhook body and Avro strings can both carry them.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (text: string): boolean => text.includes("\u0000") || UNPAIRED_SURROGATE.test(text);

function checkText(value: unknown, what: string, maxLength: number): void {
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength || unstorable(value)) {
    throw new OrderStateInputError(
      `${what} must be a string of 1 to ${maxLength} characters without NUL or unpaired surrogates`,
    );
  }
}

/**
 * A document the database will store exactly as JSON.stringify writes it: no NUL or unpaired surrogate
 * in any string or key (the statement would fail for the whole batch), no NaN or Infinity (JSON would
 * silently turn them into null) and no BigInt (JSON.stringify throws). The error names the write and
 * the path, so the caller can set that one order aside and write the rest.
 */
function checkDocument(document: object, where: string): void {
  const pending: Array<[unknown, string]> = [[document, "document"]];
  const seen = new Set<object>();
  const refuse = (path: string, what: string) => {
    throw new OrderStateInputError(`${where}: ${path} ${what}`);
  };
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === "string") {
      if (unstorable(value)) refuse(path, "holds a NUL character or an unpaired surrogate");
    } else if (typeof value === "number") {
      if (!Number.isFinite(value)) refuse(path, `is ${value}, which JSON cannot carry`);
    } else if (typeof value === "bigint") {
      refuse(path, "is a BigInt, which JSON cannot carry (encode it as a string)");
    } else if (typeof value === "object" && value !== null && !seen.has(value)) {
      // Cycles end here; JSON.stringify refuses them afterwards (toJsonParameter).
      seen.add(value);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") {
        const json: unknown = toJSON.call(value);
        if (json !== value) {
          pending.push([json, path]);
          continue;
        }
      }
      if (Array.isArray(value)) {
        value.forEach((item, index) => void pending.push([item, `${path}[${index}]`]));
        continue;
      }
      for (const [name, item] of Object.entries(value)) {
        if (unstorable(name)) refuse(path, "has a key with a NUL character or an unpaired surrogate");
        pending.push([item, `${path}.${name}`]);
      }
    }
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
    checkDocument(document, where);
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
