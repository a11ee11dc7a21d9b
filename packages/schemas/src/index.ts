export type * from "./commerce-events.ts";
export { type CompatibilityResult, checkBackwardCompatible } from "./compatibility.ts";
export * from "./invoice-event.ts";
export * from "./issuance-event.ts";
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
