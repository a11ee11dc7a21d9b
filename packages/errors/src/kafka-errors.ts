import { causeChain } from "./cause-chain.ts";
import { PlatformError } from "./platform-error.ts";

/**
 * One classification of Kafka failures for the whole code base. Knows kafkajs' error names and the
 * Kafka protocol's error types as strings only, so this package needs no Kafka client.
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
  | "KAFKA_NOT_ASSIGNED"
  | "KAFKA_PRODUCER_STATE"
  | "KAFKA_UNKNOWN";

export class KafkaClientError extends PlatformError {
  override readonly name = "KafkaClientError";
  declare readonly code: KafkaErrorCode;

  constructor(message: string, code: KafkaErrorCode, retriable: boolean, options?: { cause?: unknown }) {
    super(code, message, { retriable, cause: options?.cause });
  }
}

type Verdict = [KafkaErrorCode, boolean];

const BY_PROTOCOL_TYPE: Record<string, Verdict> = {
  UNKNOWN_TOPIC_OR_PARTITION: ["KAFKA_UNKNOWN_TOPIC", true],
  LEADER_NOT_AVAILABLE: ["KAFKA_NOT_LEADER", true],
  NOT_LEADER_FOR_PARTITION: ["KAFKA_NOT_LEADER", true],
  NOT_LEADER_OR_FOLLOWER: ["KAFKA_NOT_LEADER", true],
  REQUEST_TIMED_OUT: ["KAFKA_TIMEOUT", true],
  NOT_ENOUGH_REPLICAS: ["KAFKA_NOT_LEADER", true],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ["KAFKA_NOT_LEADER", true],
  REBALANCE_IN_PROGRESS: ["KAFKA_REBALANCING", true],
  COORDINATOR_NOT_AVAILABLE: ["KAFKA_REBALANCING", true],
  COORDINATOR_LOAD_IN_PROGRESS: ["KAFKA_REBALANCING", true],
  NOT_COORDINATOR: ["KAFKA_REBALANCING", true],
  ILLEGAL_GENERATION: ["KAFKA_REBALANCING", true],
  UNKNOWN_MEMBER_ID: ["KAFKA_REBALANCING", true],
  MESSAGE_TOO_LARGE: ["KAFKA_RECORD_TOO_LARGE", false],
  RECORD_LIST_TOO_LARGE: ["KAFKA_RECORD_TOO_LARGE", false],
  INVALID_TOPIC_EXCEPTION: ["KAFKA_INVALID_REQUEST", false],
  INVALID_REQUIRED_ACKS: ["KAFKA_INVALID_REQUEST", false],
  INVALID_PARTITIONS: ["KAFKA_INVALID_REQUEST", false],
  TOPIC_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  GROUP_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  CLUSTER_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  SASL_AUTHENTICATION_FAILED: ["KAFKA_AUTHORIZATION", false],
  // The idempotent producer's numbering is out of step with the broker's (after a request whose
  // outcome was unknown): retriable, because our producer starts again under a new producer id
  // (packages/kafka, KafkaJsProducer).
  OUT_OF_ORDER_SEQUENCE_NUMBER: ["KAFKA_PRODUCER_STATE", true],
  UNKNOWN_PRODUCER_ID: ["KAFKA_PRODUCER_STATE", true],
  INVALID_PRODUCER_EPOCH: ["KAFKA_PRODUCER_STATE", true],
  INVALID_PRODUCER_ID_MAPPING: ["KAFKA_PRODUCER_STATE", true],
};

const BY_CLIENT_ERROR_NAME: Record<string, Verdict> = {
  KafkaJSConnectionError: ["KAFKA_CONNECTION", true],
  KafkaJSConnectionClosedError: ["KAFKA_CONNECTION", true],
  KafkaJSRequestTimeoutError: ["KAFKA_TIMEOUT", true],
  KafkaJSBrokerNotFound: ["KAFKA_CONNECTION", true],
  KafkaJSTimeout: ["KAFKA_TIMEOUT", true],
  KafkaJSLockTimeout: ["KAFKA_TIMEOUT", true],
  KafkaJSSASLAuthenticationError: ["KAFKA_AUTHORIZATION", false],
};

/** kafkajs wrappers that say something about retrying but nothing about what went wrong. */
const RETRIES_EXCEEDED = "KafkaJSNumberOfRetriesExceeded";
const NON_RETRIABLE = "KafkaJSNonRetriableError";

function verdictOf(link: unknown): Verdict | undefined {
  if (link instanceof KafkaClientError) return [link.code, link.retriable];
  if (link instanceof PlatformError) return undefined;
  if (!link || typeof link !== "object") return undefined;
  const { type, name } = link as { type?: unknown; name?: unknown };
  if (typeof type === "string" && BY_PROTOCOL_TYPE[type]) return BY_PROTOCOL_TYPE[type];
  if (typeof name === "string" && BY_CLIENT_ERROR_NAME[name]) return BY_CLIENT_ERROR_NAME[name];
  return undefined;
}

/**
 * Maps whatever a Kafka client threw to a KafkaClientError, looking through the whole cause chain:
 * - the code is the innermost classified link's (the most specific thing known about the failure);
 * - it is retriable only if every classified link is (a connection error wrapping an authorisation
 *   failure is not);
 * - kafkajs' "will not retry" wrapper (KafkaJSNonRetriableError) decides only when nothing under it
 *   is classified. It is kafkajs' verdict, not a fact about the failure: its retriers nest (a
 *   producer send around the cluster's connect), an inner one that ran out of retries hands the
 *   outer one a non-retriable error, and the outer one wraps the original cause in this. So a
 *   broker that is down during a send arrives as NonRetriable(ConnectionError) — found by the chaos
 *   Kafka restart, where it dead-lettered an issued order's record instead of stalling until the
 *   broker came back;
 * - "retries exceeded" with nothing known underneath is a connection problem worth retrying later.
 * An error this function made (or an inner KafkaClientError that already says it all) comes back
 * unchanged.
 */
export function classifyKafkaError(error: unknown): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const chain = causeChain(error);
  let code: KafkaErrorCode | undefined;
  let retriable = true;
  let innermost: KafkaClientError | undefined;
  for (const link of chain) {
    const verdict = verdictOf(link);
    if (!verdict) continue;
    code = verdict[0];
    retriable &&= verdict[1];
    if (link instanceof KafkaClientError) innermost = link;
  }
  const topName = (error as { name?: unknown } | null)?.name;
  const stoppedRetrying = topName === NON_RETRIABLE;
  if (code === undefined) {
    if (topName === RETRIES_EXCEEDED) return wrap(error, "KAFKA_CONNECTION", true);
    const flagged = (error as { retriable?: unknown } | null)?.retriable === true;
    return wrap(error, "KAFKA_UNKNOWN", flagged && !stoppedRetrying);
  }
  if (innermost && innermost.code === code && innermost.retriable === retriable) return innermost;
  return wrap(error, code, retriable);
}

function wrap(error: unknown, code: KafkaErrorCode, retriable: boolean): KafkaClientError {
  const message = error instanceof Error ? error.message : String(error);
  return new KafkaClientError(message, code, retriable, { cause: error });
}
