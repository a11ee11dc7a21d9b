import { migrate } from "@invoice/db";
import { createAvroCodec, createKafkaJsClient } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { registerSchemas, topicCatalog, topicSpecs } from "@invoice/schemas";
import type { PlatformConfig } from "./platform-config.ts";

export interface MigrateSummary {
  appliedMigrations: string[];
  createdTopics: string[];
  schemaIds: Record<string, number>;
}

/**
 * The `migrate` run mode of every service: database migrations and seed, the platform's topics, and
 * the Avro schemas in the registry. Each step is idempotent, so every deployment may run it first.
 */
export async function runMigrate(config: PlatformConfig, logger: Logger): Promise<MigrateSummary> {
  const { infrastructure, identity, topics } = config;
  const result = await migrate({ databaseUrl: infrastructure.databaseUrl, createDatabase: true, logger });

  const catalog = topicCatalog({
    issuancePartitions: topics.issuancePartitions,
    eventsPartitions: topics.eventsPartitions,
  });
  const admin = createKafkaJsClient({
    brokers: infrastructure.kafkaBrokers,
    clientId: identity.kafkaClientId,
    logger,
  }).admin();
  let createdTopics: string[];
  await admin.connect();
  try {
    createdTopics = await admin.ensureTopics(topicSpecs(catalog));
    const described = await admin.describeTopics(topicSpecs(catalog).map((s) => s.topic));
    for (const spec of topicSpecs(catalog)) {
      const actual = described.find((d) => d.topic === spec.topic)?.partitions;
      if (actual !== spec.partitions) {
        // Never repartition silently: it moves orders between partitions and breaks per-order ordering.
        logger.warn(
          { topic: spec.topic, expected: spec.partitions, actual },
          "topic exists with a different partition count; leaving it as it is",
        );
      }
    }
  } finally {
    await admin.disconnect();
  }

  const codec = createAvroCodec({ url: infrastructure.schemaRegistryUrl, clientId: identity.kafkaClientId });
  // Locally (development, test) we stand in for commerce and register its input schemas too.
  const includeCommerce = config.runtime.appEnv === "development" || config.runtime.appEnv === "test";
  const schemaIds = Object.fromEntries(await registerSchemas(codec, catalog, { includeCommerce }));

  const summary = { appliedMigrations: result.applied.map((m) => m.name), createdTopics, schemaIds };
  logger.info(summary, "migrate done");
  return summary;
}
