export type * from "./commerce-events.ts";
export { type CompatibilityResult, checkBackwardCompatible } from "./compatibility.ts";
export {
  type EventMappingCode,
  EventMappingError,
  type MappingResult,
} from "./event-mapping-error.ts";
export * from "./invoice-event.ts";
export {
  type IssuedContext,
  invoiceEventFromWire,
  invoiceEventToWire,
  PUBLISHED_TYPES,
  type PublishContext,
} from "./invoice-event-mapping.ts";
export * from "./issuance-event.ts";
export { type IssuanceMeta, issuanceEventFromWire, issuanceEventToWire } from "./issuance-mapping.ts";
export { type RegisterSchemasOptions, registerSchemas } from "./register-schemas.ts";
export { AVRO_DIR, loadSchema, SCHEMA_NAMES, type SchemaName } from "./schema-files.ts";
export { checkSchemaHistory, type SchemaHistoryResult } from "./schema-history.ts";
export {
  type TopicCatalog,
  type TopicCatalogOptions,
  type TopicDefinition,
  topicCatalog,
  topicSpecs,
  valueSubject,
} from "./topic-catalog.ts";
