import { migrate } from "@invoice/db";
import type { Logger } from "@invoice/observability";
import { registerSchemas, topicSpecs } from "@invoice/schemas";
import { createCodec } from "./clients/codec.ts";
import { createKafka } from "./clients/kafka.ts";
import type { PlatformConfig } from "./platform-config.ts";

export interface MigrateSummary {
  appliedMigrations: string[];
  createdTopics: string[];
  schemaIds: Record<string, number>;
}

/**
 * The `migrate` run mode of every service: database migrations and seed, the platform's topics, and
 * the Avro schemas in the registry. Each step is idempotent, so every deployment may run it first.
 * It builds its Kafka client, topic catalog and codec with the same factories as the service itself.
 */
export async function runMigrate(config: PlatformConfig, logger: Logger): Promise<MigrateSummary> {
  const result = await migrate({
    databaseUrl: config.infrastructure.databaseUrl,
    createDatabase: true,
    logger,
  });

  const kafka = createKafka(config, logger);
  const specs = topicSpecs(kafka.topics);
  let createdTopics: string[];
  try {
    await kafka.admin.connect();
    createdTopics = await kafka.admin.ensureTopics(specs);
    const described = await kafka.admin.describeTopics(specs.map((s) => s.topic));
    for (const spec of specs) {
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
    await kafka.close();
  }

  const codec = createCodec(config);
  // Locally (development, test) we stand in for commerce and register its input schemas too.
  const includeCommerce = config.runtime.appEnv === "development" || config.runtime.appEnv === "test";
  const schemaIds = Object.fromEntries(
    await registerSchemas(codec.client, kafka.topics, { includeCommerce }),
  );
  await codec.close();

  const summary = { appliedMigrations: result.applied.map((m) => m.name), createdTopics, schemaIds };
  logger.info(summary, "migrate done");
  return summary;
}
