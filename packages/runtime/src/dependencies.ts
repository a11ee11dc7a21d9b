import { createPrismaClient, type PrismaClient } from "@invoice/db";
import type { ReadinessCheck } from "@invoice/http";
import {
  type Admin,
  type AvroCodec,
  createAvroCodec,
  createKafkaJsClient,
  type KafkaClient,
} from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { type TopicCatalog, topicCatalog } from "@invoice/schemas";
import { Redis } from "ioredis";
import type { PlatformConfig } from "./platform-config.ts";
import { singleFlight } from "./single-flight.ts";

export type Dependency = "postgres" | "redis" | "kafka" | "schema-registry";

/** The clients a service asked for; absent ones stay undefined. */
export interface Dependencies {
  prisma?: PrismaClient;
  redis?: Redis;
  kafka?: KafkaClient;
  kafkaAdmin?: Admin;
  codec?: AvroCodec;
  topics: TopicCatalog;
}

export interface ConnectedDependencies {
  deps: Dependencies;
  readinessChecks: Record<string, ReadinessCheck>;
  /** Closes every client, for the shutdown manager's last step. */
  close(): Promise<void>;
}

/**
 * Builds the clients a service needs. Nothing here blocks start-up on a dependency being reachable:
 * clients connect lazily and reconnect on their own, and `/ready` reports what is down, so an
 * orchestrator keeps the instance out of rotation instead of crash-looping it.
 */
export function createDependencies(
  needs: readonly Dependency[],
  config: PlatformConfig,
  logger: Logger,
): ConnectedDependencies {
  const topics = topicCatalog({
    issuancePartitions: config.topics.issuancePartitions,
    eventsPartitions: config.topics.eventsPartitions,
  });
  const deps: Dependencies = { topics };
  const readinessChecks: Record<string, ReadinessCheck> = {};
  const closers: Array<() => Promise<unknown>> = [];
  const { infrastructure, identity } = config;

  if (needs.includes("postgres")) {
    const prisma = createPrismaClient({ databaseUrl: infrastructure.databaseUrl, maxConnections: 5 });
    deps.prisma = prisma;
    readinessChecks.postgres = async () => {
      await prisma.$queryRawUnsafe("SELECT 1");
    };
    closers.push(() => prisma.$disconnect());
  }

  if (needs.includes("redis")) {
    // Connects now and reconnects on its own; commands fail fast while disconnected instead of
    // queueing forever, so /ready answers promptly.
    const redis = new Redis(infrastructure.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: identity.kafkaClientId,
    });
    redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
    deps.redis = redis;
    readinessChecks.redis = async () => {
      await redis.ping();
    };
    closers.push(async () => {
      if (redis.status === "ready") await redis.quit();
      else redis.disconnect();
    });
  }

  if (needs.includes("kafka")) {
    const kafka = createKafkaJsClient({
      brokers: infrastructure.kafkaBrokers,
      clientId: identity.kafkaClientId,
      logger,
    });
    const admin = kafka.admin();
    deps.kafka = kafka;
    deps.kafkaAdmin = admin;
    // Ready means the broker answers and the issuance topic exists (created by `migrate`).
    readinessChecks.kafka = async () => {
      await admin.connect();
      await admin.describeTopics([topics.issuance.topic]);
    };
    closers.push(() => admin.disconnect());
  }

  if (needs.includes("schema-registry")) {
    deps.codec = createAvroCodec({ url: infrastructure.schemaRegistryUrl, clientId: identity.kafkaClientId });
    readinessChecks["schema-registry"] = async () => {
      const response = await fetch(`${infrastructure.schemaRegistryUrl}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) {
        throw Object.assign(new Error(`schema registry answered ${response.status}`), {
          code: "SCHEMA_REGISTRY_UNAVAILABLE",
        });
      }
    };
  }

  return {
    deps,
    readinessChecks: Object.fromEntries(
      Object.entries(readinessChecks).map(([name, check]) => [name, singleFlight(check)]),
    ),
    async close() {
      const results = await Promise.allSettled(closers.map((close) => close()));
      for (const result of results) {
        if (result.status === "rejected") logger.warn({ err: result.reason }, "closing a client failed");
      }
    },
  };
}
