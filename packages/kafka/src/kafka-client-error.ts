// The classification lives in @invoice/errors (one place for every infrastructure error); the Kafka
// layer re-exports it so that callers of the port need only this package.
export { classifyKafkaError, KafkaClientError, type KafkaErrorCode } from "@invoice/errors";
