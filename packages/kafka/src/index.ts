export { computeLag, type PartitionLag, readConsumerLag } from "./consumer-lag.ts";
export { classifyKafkaError, KafkaClientError, type KafkaErrorCode } from "./kafka-client-error.ts";
export { createKafkaJsClient, type KafkaJsClientOptions } from "./kafkajs/kafkajs-client.ts";
export { type Logger, silentLogger } from "./logger.ts";
export { murmur2, partitionForKey } from "./murmur2-partitioner.ts";
export * from "./ports.ts";
export {
  type AvroCodec,
  type CompatibilityLevel,
  createAvroCodec,
  type DecodedRecord,
  readSchemaId,
  SchemaCodecError,
  type SchemaCodecErrorCode,
} from "./schema-registry-codec.ts";
