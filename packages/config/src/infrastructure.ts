import { z } from "zod";
import { commaList, hostPort, url } from "./fields.ts";

/** Addresses of the local stack (`pnpm stack:up`), so a developer needs no variables at all. */
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

export const infrastructureSection = z
  .object({
    /** Bootstrap brokers, comma-separated host:port. */
    KAFKA_BROKERS: commaList(hostPort()).default([LOCAL_STACK.KAFKA_BROKERS]),
    SCHEMA_REGISTRY_URL: url({ protocols: ["http", "https"] }).default(LOCAL_STACK.SCHEMA_REGISTRY_URL),
    DATABASE_URL: url({ protocols: ["postgresql", "postgres"] }).default(LOCAL_STACK.DATABASE_URL),
    REDIS_URL: url({ protocols: ["redis", "rediss"] }).default(LOCAL_STACK.REDIS_URL),
  })
  .transform(
    (env): InfrastructureConfig => ({
      kafkaBrokers: env.KAFKA_BROKERS,
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
    }),
  );
