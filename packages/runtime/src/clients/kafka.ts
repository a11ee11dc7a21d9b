import { KafkaClientError } from "@invoice/errors";
import { type Admin, createKafkaJsClient, type KafkaClient } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { type TopicCatalog, topicCatalog } from "@invoice/schemas";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/** The platform's topics with this deployment's partition counts and names (INVOICE_*_PARTITIONS, INVOICE_*_TOPIC). */
export function createTopicCatalog(config: Pick<PlatformConfig, "topics">): TopicCatalog {
  return topicCatalog({
    issuancePartitions: config.topics.issuancePartitions,
    eventsPartitions: config.topics.eventsPartitions,
    names: config.topics.names,
  });
}

export interface KafkaServiceClient extends ServiceClient<KafkaClient> {
  /** One admin connection, used by the readiness probe and by `migrate`. */
  readonly admin: Admin;
  readonly topics: TopicCatalog;
}

/**
 * The service's Kafka client (producers and consumers are made from `client` and registered as
 * components, because they have lifetimes of their own), its admin connection and the topic catalog.
 * `migrate` uses the same factory, so both see one catalog and one client configuration.
 * Ready means the broker answers and the topics the service uses exist: `options.readinessTopics`, by
 * default invoice.issuance (created by `migrate`). A service whose topics are overridden (the issuer's
 * ISSUER_*_TOPIC) names its own, so it is not held unready by a topic it never touches, nor ready
 * without one it needs.
 */
export function createKafka(
  config: Pick<PlatformConfig, "infrastructure" | "clients" | "identity" | "topics">,
  logger: Logger,
  options: { readinessTopics?: readonly string[] } = {},
): KafkaServiceClient {
  const topics = createTopicCatalog(config);
  const readinessTopics = [...new Set(options.readinessTopics ?? [topics.issuance.topic])];
  const kafka = createKafkaJsClient({
    brokers: config.infrastructure.kafkaBrokers,
    clientId: config.identity.kafkaClientId,
    logger,
    connectionTimeoutMs: config.clients.kafka.connectionTimeoutMs,
    requestTimeoutMs: config.clients.kafka.requestTimeoutMs,
  });
  const admin = kafka.admin();
  return {
    name: "kafka",
    client: kafka,
    admin,
    topics,
    readinessCheck: async () => {
      await admin.connect();
      try {
        await admin.describeTopics(readinessTopics);
      } catch (error) {
        if (!(error instanceof KafkaClientError) || error.code !== "KAFKA_UNKNOWN_TOPIC") throw error;
        // Name the missing ones, so the probe's log line says what to create. Only an unknown-topic
        // answer counts as missing; any other failure (a timeout, a lost connection) is thrown as it
        // is, so an existing topic is never named.
        const found = await Promise.all(
          readinessTopics.map((topic) =>
            admin.describeTopics([topic]).then(
              () => true,
              (each: unknown) => {
                if (each instanceof KafkaClientError && each.code === "KAFKA_UNKNOWN_TOPIC") return false;
                throw each;
              },
            ),
          ),
        );
        const missing = readinessTopics.filter((_, i) => !found[i]);
        if (missing.length === 0) throw error; // created in between: the next probe passes
        throw new KafkaClientError(
          `topic${missing.length === 1 ? "" : "s"} ${missing.join(", ")} not found on the broker (created by the migrate run mode)`,
          "KAFKA_UNKNOWN_TOPIC",
          true,
          { cause: error },
        );
      }
    },
    close: () => admin.disconnect(),
  };
}
