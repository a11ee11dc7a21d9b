import {
  durationMs,
  type Env,
  envSections,
  infrastructureSection,
  loadConfig,
  positiveInt,
  runtimeSection,
  SERVICE_DEFAULT_PORTS,
  serviceIdentitySection,
} from "@invoice/config";
import { z } from "zod";

export type ServiceName = keyof typeof SERVICE_DEFAULT_PORTS;

const topicName = () => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "must be a Kafka topic name");

/** Topic layout (DESIGN.md section 3); retry and DLQ topics always follow invoice.issuance. */
const topicsSection = z
  .object({
    /** Partitions of invoice.issuance (and its retry/DLQ topics) when `migrate` creates them. */
    INVOICE_ISSUANCE_PARTITIONS: positiveInt().default(3),
    /** Partitions of invoice.events when `migrate` creates it. */
    INVOICE_EVENTS_PARTITIONS: positiveInt().default(3),
    /**
     * Topic names, the catalog's when unset (invoice.issuance, its `.retry` and `.dlq`, invoice.events,
     * invoice.ingest.dlq). For tests and side-by-side environments on one cluster: every service of one
     * environment must be given the same names (the issuer takes them unless an ISSUER_*_TOPIC
     * overrides one).
     */
    INVOICE_ISSUANCE_TOPIC: topicName().optional(),
    /** Default: INVOICE_ISSUANCE_TOPIC + ".retry". */
    INVOICE_ISSUANCE_RETRY_TOPIC: topicName().optional(),
    /** Default: INVOICE_ISSUANCE_TOPIC + ".dlq". */
    INVOICE_ISSUANCE_DLQ_TOPIC: topicName().optional(),
    INVOICE_EVENTS_TOPIC: topicName().optional(),
    INVOICE_INGEST_DLQ_TOPIC: topicName().optional(),
  })
  .transform((env) => ({
    issuancePartitions: env.INVOICE_ISSUANCE_PARTITIONS,
    eventsPartitions: env.INVOICE_EVENTS_PARTITIONS,
    names: {
      ...(env.INVOICE_ISSUANCE_TOPIC ? { issuance: env.INVOICE_ISSUANCE_TOPIC } : {}),
      ...(env.INVOICE_ISSUANCE_RETRY_TOPIC ? { issuanceRetry: env.INVOICE_ISSUANCE_RETRY_TOPIC } : {}),
      ...(env.INVOICE_ISSUANCE_DLQ_TOPIC ? { issuanceDlq: env.INVOICE_ISSUANCE_DLQ_TOPIC } : {}),
      ...(env.INVOICE_EVENTS_TOPIC ? { events: env.INVOICE_EVENTS_TOPIC } : {}),
      ...(env.INVOICE_INGEST_DLQ_TOPIC ? { ingestDlq: env.INVOICE_INGEST_DLQ_TOPIC } : {}),
    },
  }));

/** What differs between services in the clients section: the database pool they need. */
export interface ClientDefaults {
  /**
   * Default PostgreSQL connections per process. Every replica of every service opens up to this many,
   * and the sum must stay under the server's `max_connections` (100 by default) with room for
   * migrations, psql and the CDC slot: size it from the replica count, not from a benchmark alone.
   */
  databasePoolMax: number;
}

/** Used when a service does not say: two requests and a background query at once. */
const DEFAULT_CLIENTS: ClientDefaults = { databasePoolMax: 5 };

/**
 * Knobs of the clients main.ts builds (packages/runtime/src/clients/). Units in the names; every value
 * has a default that works against the local stack and in a small production deployment.
 */
function clientsSection(defaults: ClientDefaults) {
  return z
    .object({
      /** PostgreSQL pool size of this process, in connections (node-postgres `max`). */
      DATABASE_POOL_MAX: positiveInt({ max: 200 }).default(defaults.databasePoolMax),
      /**
       * Give up opening a PostgreSQL connection after this long. A black-holed network otherwise holds a
       * query, and /ready, for the operating system's TCP timeout (minutes).
       */
      DATABASE_CONNECT_TIMEOUT_MS: durationMs({ min: 1 }).default(5_000),
      /** Give up opening a Redis connection after this long; ioredis then reconnects on its own. */
      REDIS_CONNECT_TIMEOUT_MS: durationMs({ min: 1 }).default(5_000),
      /**
       * Fail a Redis command unanswered after this long. A server that hangs (stopped, a black-holed
       * network) keeps the connection "ready", and without a bound every use of Redis, and the code
       * waiting on it, would wait for the operating system's TCP timeout; with one, each falls back.
       */
      REDIS_COMMAND_TIMEOUT_MS: durationMs({ min: 1 }).default(2_000),
      /** Kafka connection attempt timeout; kafkajs' own 1 s is too tight on a loaded 2-core box. */
      KAFKA_CONNECTION_TIMEOUT_MS: durationMs({ min: 1 }).default(5_000),
      /** Kafka request timeout (a produce with acks=all waits for every in-sync replica). */
      KAFKA_REQUEST_TIMEOUT_MS: durationMs({ min: 1 }).default(30_000),
      /** Bound of one schema-registry call the codec makes outside its client library, and of its probe. */
      SCHEMA_REGISTRY_TIMEOUT_MS: durationMs({ min: 1 }).default(10_000),
      /**
       * Time limit of each /ready check. Keep it under the orchestrator's probe timeout (Kubernetes: 1 s
       * by default, usually raised to 3–5 s), or a slow dependency makes the probe itself time out.
       */
      READINESS_TIMEOUT_MS: durationMs({ min: 1 }).default(2_000),
    })
    .transform((env) => ({
      postgres: {
        maxConnections: env.DATABASE_POOL_MAX,
        connectionTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      },
      redis: {
        connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
        commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
      },
      kafka: {
        connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
        requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
      },
      schemaRegistry: { requestTimeoutMs: env.SCHEMA_REGISTRY_TIMEOUT_MS },
      readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
    }));
}

/**
 * The configuration every service shares. A service's own config.ts adds its section next to these
 * (envSections reports the problems of all sections together) and passes its client defaults.
 */
export function platformSections(service: ServiceName, clientDefaults: ClientDefaults = DEFAULT_CLIENTS) {
  return {
    runtime: runtimeSection,
    infrastructure: infrastructureSection,
    identity: serviceIdentitySection({ service, defaultPort: SERVICE_DEFAULT_PORTS[service] }),
    topics: topicsSection,
    clients: clientsSection(clientDefaults),
  };
}

export function loadPlatformConfig(service: ServiceName, env: Env, clientDefaults?: ClientDefaults) {
  return loadConfig(envSections(platformSections(service, clientDefaults)), env);
}

export type PlatformConfig = ReturnType<typeof loadPlatformConfig>;
