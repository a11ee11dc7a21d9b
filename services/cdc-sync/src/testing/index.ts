// Fixtures for cdc-sync's tests and the benchmark: the CDC stack, commerce databases, Debezium
// connectors, hand-written change events.
export { type CdcStackEnv, cdcStackEnv, cdcStackRunning, ensureCdcStack, stopCdcStack } from "./cdc-stack.ts";
export { type CommerceDatabase, createCommerceDatabase, MERCHANT_TABLE_DDL } from "./commerce-database.ts";
export {
  type ConnectorFormat,
  type ConnectorOptions,
  connectorConfig,
  type RunningConnector,
  startConnector,
} from "./debezium-connector.ts";
export {
  debeziumEnvelope,
  type EnvelopeOptions,
  jsonBytes,
  merchantRow,
  withSchemaWrapper,
} from "./envelopes.ts";
