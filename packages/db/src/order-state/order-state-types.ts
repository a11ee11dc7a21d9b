import { PlatformError } from "@invoice/errors";
import type { InvoiceStatus } from "../generated/prisma/enums.ts";

/**
 * Anything that runs a raw statement: a PrismaClient (one autocommit statement through the driver
 * adapter) or the `tx` of `prisma.$transaction(async (tx) => ...)` (inside that transaction).
 */
export interface SqlExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** The order's identity; commerce's opaque strings, as carried by the Avro events. */
export interface OrderKey {
  merchantId: string;
  orderId: string;
}

/** Column sizes of OrderState and ProcessedEvent, for checking a record before it joins a batch. */
export const ORDER_STATE_LIMITS = {
  merchantIdLength: 64,
  orderIdLength: 64,
  eventIdLength: 128,
  consumerLength: 128,
} as const;

export type OrderStatus = InvoiceStatus;

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface StoredOrderState {
  key: OrderKey;
  status: OrderStatus;
  /** Opaque to the store: whatever the issuer wrote (a JSON object). */
  document: JsonObject;
  /** What the next write must name as `expectedVersion`. */
  version: number;
  updatedAt: Date;
}

export interface OrderStateWrite {
  key: OrderKey;
  status: OrderStatus;
  document: JsonObject;
  /** The version that was loaded, or null for an order that had no row (insert). */
  expectedVersion: number | null;
  /** Events this state includes; recorded in ProcessedEvent only if the state is written. */
  eventIds?: readonly string[];
}

export type OrderStateWriteResult =
  | {
      key: OrderKey;
      outcome: "written";
      /** The row's version now. */
      version: number;
      /** `eventIds` recorded by this write. */
      newEventIds: string[];
      /**
       * `eventIds` some other transaction had already recorded. Empty when the events were filtered
       * with `loadOrderStates` (same snapshot as the state); otherwise the written state applied an
       * event twice: throw, so the surrounding transaction rolls back, and reload.
       */
      duplicateEventIds: string[];
    }
  /** Someone else wrote the order since it was loaded (or inserted it first): reload and re-apply. */
  | { key: OrderKey; outcome: "conflict" };

/** A batch the store refuses before sending it; a bug in the caller, never worth retrying. */
export class OrderStateInputError extends PlatformError {
  override readonly name = "OrderStateInputError";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("ORDER_STATE_INVALID_INPUT", message, { retriable: false, cause: options.cause });
  }
}
