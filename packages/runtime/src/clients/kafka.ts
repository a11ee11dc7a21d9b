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
 * Ready means the broker answers and invoice.issuance exists (created by `migrate`).
 */
export function createKafka(
  config: Pick<PlatformConfig, "infrastructure" | "clients" | "identity" | "topics">,
  logger: Logger,
): KafkaServiceClient {
  const topics = createTopicCatalog(config);
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
      await admin.describeTopics([topics.issuance.topic]);
    },
    close: () => admin.disconnect(),
  };
}
