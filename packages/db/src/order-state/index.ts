export {
  type LoadedOrderStates,
  loadOrderStates,
  orderKeyString,
  recordProcessedEvents,
  writeOrderStates,
} from "./order-state-store.ts";
export {
  type JsonObject,
  type JsonValue,
  ORDER_STATE_LIMITS,
  type OrderKey,
  OrderStateInputError,
  type OrderStateWrite,
  type OrderStateWriteResult,
  type OrderStatus,
  type SqlExecutor,
  type StoredOrderState,
} from "./order-state-types.ts";
