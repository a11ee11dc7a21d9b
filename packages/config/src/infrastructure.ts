import { z } from "zod";
import { commaList, hostPort, url } from "./fields.ts";
import { addOwnIssue } from "./own-issue.ts";
import { environmentShape, isDeployed, refuseContradictoryEnvironment } from "./runtime.ts";

/**
 * Addresses of the local stack (`pnpm stack:up`), so a developer needs no variables at all. Only
 * development and test get them: a deployed service that fell back to 127.0.0.1 would at best fail to
 * connect and at worst reach whatever listens on the node (a sidecar's database, another team's Redis).
 */
export const LOCAL_STACK = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:8081/apis/ccompat/v7",
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/invoice",
  REDIS_URL: "redis://127.0.0.1:6379",
} as const;

export interface InfrastructureConfig {
  kafkaBrokers: string[];
  /** Confluent-compatible API root (Apicurio's `/apis/ccompat/v7`). */
  schemaRegistryUrl: string;
  databaseUrl: string;
  redisUrl: string;
}

type Address = keyof typeof LOCAL_STACK;

/**
 * Infrastructure addresses. In staging and production every one must be set explicitly (the way the
 * service identity refuses its defaults, ADR 0006); development and test default to the local stack.
 */
export const infrastructureSection = z
  .object({
    ...environmentShape,
    /** Bootstrap brokers, comma-separated host:port. */
    KAFKA_BROKERS: commaList(hostPort()).optional(),
    SCHEMA_REGISTRY_URL: url({ protocols: ["http", "https"] }).optional(),
    DATABASE_URL: url({ protocols: ["postgresql", "postgres"] }).optional(),
    REDIS_URL: url({ protocols: ["redis", "rediss"] }).optional(),
  })
  .superRefine((env, ctx) => {
    refuseContradictoryEnvironment(env, ctx);
    if (!isDeployed(env)) return;
    for (const variable of Object.keys(LOCAL_STACK) as Address[]) {
      if (env[variable] !== undefined) continue;
      addOwnIssue(ctx, {
        path: [variable],
        message: `must be set explicitly in staging and production (only development and test default to the local stack's ${LOCAL_STACK[variable]})`,
      });
    }
  })
  .transform(
    (env): InfrastructureConfig => ({
      kafkaBrokers: env.KAFKA_BROKERS ?? [LOCAL_STACK.KAFKA_BROKERS],
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? LOCAL_STACK.SCHEMA_REGISTRY_URL,
      databaseUrl: env.DATABASE_URL ?? LOCAL_STACK.DATABASE_URL,
      redisUrl: env.REDIS_URL ?? LOCAL_STACK.REDIS_URL,
    }),
  );
