/**
 * One classification of Kafka failures for the whole code base (STYLE.md "Errors"): the retry/DLQ
 * router asks `retriable`, never the message text.
 */
export type KafkaErrorCode =
  | "KAFKA_CONNECTION"
  | "KAFKA_TIMEOUT"
  | "KAFKA_NOT_LEADER"
  | "KAFKA_UNKNOWN_TOPIC"
  | "KAFKA_REBALANCING"
  | "KAFKA_RECORD_TOO_LARGE"
  | "KAFKA_INVALID_REQUEST"
  | "KAFKA_AUTHORIZATION"
  | "KAFKA_UNKNOWN";

export class KafkaClientError extends Error {
  override readonly name = "KafkaClientError";
  constructor(
    message: string,
    readonly code: KafkaErrorCode,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

const BY_PROTOCOL_TYPE: Record<string, [KafkaErrorCode, boolean]> = {
  UNKNOWN_TOPIC_OR_PARTITION: ["KAFKA_UNKNOWN_TOPIC", true],
  LEADER_NOT_AVAILABLE: ["KAFKA_NOT_LEADER", true],
  NOT_LEADER_FOR_PARTITION: ["KAFKA_NOT_LEADER", true],
  NOT_LEADER_OR_FOLLOWER: ["KAFKA_NOT_LEADER", true],
  REQUEST_TIMED_OUT: ["KAFKA_TIMEOUT", true],
  NOT_ENOUGH_REPLICAS: ["KAFKA_NOT_LEADER", true],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ["KAFKA_NOT_LEADER", true],
  REBALANCE_IN_PROGRESS: ["KAFKA_REBALANCING", true],
  COORDINATOR_NOT_AVAILABLE: ["KAFKA_REBALANCING", true],
  NOT_COORDINATOR: ["KAFKA_REBALANCING", true],
  MESSAGE_TOO_LARGE: ["KAFKA_RECORD_TOO_LARGE", false],
  RECORD_LIST_TOO_LARGE: ["KAFKA_RECORD_TOO_LARGE", false],
  INVALID_TOPIC_EXCEPTION: ["KAFKA_INVALID_REQUEST", false],
  INVALID_REQUIRED_ACKS: ["KAFKA_INVALID_REQUEST", false],
  INVALID_PARTITIONS: ["KAFKA_INVALID_REQUEST", false],
  TOPIC_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  GROUP_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  CLUSTER_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
};

const BY_CLIENT_ERROR_NAME: Record<string, [KafkaErrorCode, boolean]> = {
  KafkaJSConnectionError: ["KAFKA_CONNECTION", true],
  KafkaJSConnectionClosedError: ["KAFKA_CONNECTION", true],
  KafkaJSRequestTimeoutError: ["KAFKA_TIMEOUT", true],
  KafkaJSBrokerNotFound: ["KAFKA_CONNECTION", true],
  KafkaJSNumberOfRetriesExceeded: ["KAFKA_CONNECTION", true],
  KafkaJSTimeout: ["KAFKA_TIMEOUT", true],
  KafkaJSLockTimeout: ["KAFKA_TIMEOUT", true],
  KafkaJSNonRetriableError: ["KAFKA_UNKNOWN", false],
};

/** Maps whatever the client threw to a KafkaClientError, looking through the cause chain. */
export function classifyKafkaError(error: unknown): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    // A consumer handler that threw an already classified error (say a producer send inside it)
    // reaches us wrapped by kafkajs' retry layer; its own classification is the meaningful one.
    if (current instanceof KafkaClientError) {
      // kafkajs' own "will not retry" verdict wins over an inner retriable flag: the consumer has
      // stopped retrying, whatever the inner error said.
      const topName = (error as ErrorLike).name;
      if (topName === "KafkaJSNonRetriableError" && current.retriable) {
        return new KafkaClientError(current.message, current.code, false, { cause: error });
      }
      return current;
    }
    const e = current as ErrorLike;
    const byType = typeof e.type === "string" ? BY_PROTOCOL_TYPE[e.type] : undefined;
    if (byType) return wrap(error, ...byType);
    const byName = typeof e.name === "string" ? BY_CLIENT_ERROR_NAME[e.name] : undefined;
    if (byName && e.name !== "KafkaJSNumberOfRetriesExceeded" && e.name !== "KafkaJSNonRetriableError") {
      return wrap(error, ...byName);
    }
    current = e.originalError ?? e.cause;
  }
  const top = error as ErrorLike | undefined;
  const byName = typeof top?.name === "string" ? BY_CLIENT_ERROR_NAME[top.name] : undefined;
  if (byName) return wrap(error, ...byName);
  return wrap(error, "KAFKA_UNKNOWN", top?.retriable === true);
}

function wrap(error: unknown, code: KafkaErrorCode, retriable: boolean): KafkaClientError {
  const message = error instanceof Error ? error.message : String(error);
  return new KafkaClientError(message, code, retriable, { cause: error });
}
