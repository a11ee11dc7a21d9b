/**
 * What a claims integration test runs against: the real stack, isolated per test file. A database of
 * its own (migrated and seeded, administrative units included), an issuance topic of its own, a Redis
 * key prefix of its own, and the claims modules wired exactly as main.ts wires them. The end-to-end
 * test runs claims on the issuer's database and issuance topic instead (a {@link SharedWorld}).
 */
import { randomUUID } from "node:crypto";
import { createPrismaClient, migrate, type PrismaClient, seed } from "@invoice/db";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { createHttpApp, type RunningHttpServer, startHttpServer } from "@invoice/http";
import {
  type AvroCodec,
  createAvroCodec,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  silentLogger,
} from "@invoice/kafka";
import { createLogger, createMetrics, type Logger, type Registry } from "@invoice/observability";
import { type IssuanceEvent, type IssuanceEventAvro, issuanceEventFromAvro } from "@invoice/schemas";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createClaimsApi, createClaimsWorker, maskingLogger } from "../../src/claims-service.ts";
import { type ClaimsSettings, loadClaimsConfig } from "../../src/config.ts";
import {
  createIssuancePublisher,
  type IssuanceEventPublisher,
} from "../../src/publish/issuance-publisher.ts";

export interface CapturedLogs {
  logger: Logger;
  lines: string[];
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    service: "claims",
    level: "debug",
    destination: { write: (l) => void lines.push(l) },
  });
  return { logger: maskingLogger(logger), lines };
}

/** The claims section of the configuration with overrides, validated like the real one. */
export function claimsSettings(env: Record<string, string> = {}): ClaimsSettings {
  return loadClaimsConfig(env).claims;
}

export interface ClaimsStack {
  prisma: PrismaClient;
  redis: Redis;
  kafka: KafkaClient;
  codec: AvroCodec;
  topic: string;
  redisPrefix: string;
  close(): Promise<void>;
}

/** Another fixture's migrated database and issuance topic, which it created and will drop. */
export interface SharedWorld {
  databaseUrl: string;
  topic: string;
}

/** A stack of its own (`name` prefixes the database), or one on `shared`, which it leaves in place. */
export async function startClaimsStack(name: string, shared?: SharedWorld): Promise<ClaimsStack> {
  const env = stackEnv();
  let db: TempDatabase | undefined;
  let databaseUrl: string;
  if (shared) {
    // Migrated, maybe without reference data (the issuer's is): the page needs administrative units.
    databaseUrl = shared.databaseUrl;
    await seed({ databaseUrl });
  } else {
    db = await createTempDatabase(name);
    databaseUrl = db.url;
    await migrate({ databaseUrl });
  }
  const prisma = createPrismaClient({ databaseUrl, maxConnections: 8 });
  // Like the service's client (packages/runtime clients/redis.ts, REDIS_COMMAND_TIMEOUT_MS default).
  const redis = new Redis(env.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
  });
  await waitFor(() => redis.status === "ready", { description: "redis to connect" });
  const kafka = createKafkaJsClient({
    brokers: env.kafkaBrokers,
    clientId: uniqueName("claims_it"),
    logger: silentLogger,
  });
  const topic = shared?.topic ?? uniqueName("claims.issuance");
  const admin = kafka.admin();
  await admin.connect();
  if (!shared) await admin.ensureTopics([{ topic, partitions: 3 }]);
  const codec = createAvroCodec({ url: env.schemaRegistryUrl });
  const redisPrefix = `${uniqueName("claims_it")}:`;
  return {
    prisma,
    redis,
    kafka,
    codec,
    topic,
    redisPrefix,
    async close() {
      if (!shared) await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
      for await (const keys of redis.scanStream({ match: `${redisPrefix}*`, count: 500 })) {
        if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
      }
      redis.disconnect();
      await prisma.$disconnect();
      await db?.drop();
    },
  };
}

export interface RunningClaims {
  url: string;
  registry: Registry;
  logs: CapturedLogs;
  publisher: IssuanceEventPublisher;
  close(): Promise<void>;
}

/** Rate limits high enough that only the rate-limit tests (with apps of their own) ever meet them. */
export const GENEROUS_LIMITS = {
  CLAIMS_RATE_LIMIT_PER_ADDRESS: "100000",
  CLAIMS_RATE_LIMIT_PER_TOKEN: "100000",
  CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS: "100000",
  CLAIMS_RATE_LIMIT_SUBMISSIONS_PER_TOKEN: "100000",
};

/** Worker loops of a fraction of a second, so tests take seconds (the horizon stays >= 2 scans). */
export const FAST_WORKER = {
  CLAIMS_EXPIRY_POLL_INTERVAL_MS: "50",
  CLAIMS_EXPIRY_SCAN_INTERVAL_MS: "1000",
  CLAIMS_EXPIRY_HORIZON_MS: "10000",
  CLAIMS_RELAY_INTERVAL_MS: "300",
  CLAIMS_PUBLISH_LEASE_MS: "2000",
  CLAIMS_PUBLISH_TIMEOUT_MS: "500",
};

interface ServiceOptions {
  env?: Record<string, string>;
  now?: () => number;
  publisher?: IssuanceEventPublisher;
  redis?: Redis;
  logs?: CapturedLogs;
}

/** The dependencies main.ts hands to claims-service.ts, made from the test's stack. */
function serviceDeps(stack: ClaimsStack, options: ServiceOptions) {
  const logs = options.logs ?? captureLogs();
  const registry = createMetrics({ service: "claims", defaultMetrics: false });
  const publisher =
    options.publisher ??
    createIssuancePublisher({ producer: stack.kafka.producer(), codec: stack.codec, topic: stack.topic });
  const deps = {
    db: stack.prisma,
    databaseSchema: "invoice",
    redis: options.redis ?? stack.redis,
    publisher,
    logger: logs.logger,
    metrics: registry,
    now: options.now ?? Date.now,
    settings: claimsSettings({ CLAIMS_REDIS_KEY_PREFIX: stack.redisPrefix, ...options.env }),
  };
  return { deps, logs, registry, publisher };
}

/** The API as main.ts builds it, behind the platform's HTTP app, on `port` (default: an ephemeral one). */
export async function startClaimsApi(
  stack: ClaimsStack,
  options: ServiceOptions & { port?: number } = {},
): Promise<RunningClaims> {
  const { deps, logs, registry, publisher } = serviceDeps(stack, options);
  const router = await createClaimsApi({ ...deps, bodyLimitBytes: 65_536 });
  const app = createHttpApp({
    logger: logs.logger,
    metricsRegistry: registry,
    bodyLimitBytes: 65_536,
    routes: (r) => r.use(router),
  });
  const server: RunningHttpServer = await startHttpServer(app, {
    port: options.port ?? 0,
    host: "127.0.0.1",
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    registry,
    logs,
    publisher,
    async close() {
      await server.close();
      await publisher.stop();
    },
  };
}

export function startClaimsWorker(stack: ClaimsStack, options: ServiceOptions = {}) {
  const { deps, logs, registry, publisher } = serviceDeps(stack, options);
  const worker = createClaimsWorker(deps);
  return {
    worker,
    registry,
    logs,
    async stop() {
      await worker.stop();
      await publisher.stop();
    },
  };
}

/**
 * The file's stack and a reader of its issuance topic, started before the file's tests and closed
 * after them. Read `env.stack` / `env.topic` inside tests and hooks.
 */
export function useClaimsStack(name: string) {
  const env = {} as { stack: ClaimsStack; topic: IssuanceTopic };
  beforeAll(async () => {
    env.stack = await startClaimsStack(name);
    env.topic = await readIssuanceTopic(env.stack);
  });
  afterAll(async () => {
    await env.topic?.stop();
    await env.stack?.close();
  });
  return env;
}

export interface OpenClaim {
  id: bigint;
  token: string;
  merchantId: string;
  orderId: string;
  deadline: Date;
}

let nextClaimId = BigInt(Date.now()) * 1000n;

/**
 * Inserts an open claim the way the issuer does on its OpenClaim effect (services/claims/README.md,
 * "What the issuer writes"), and the merchant's display name once per merchant.
 */
export async function openClaim(
  prisma: PrismaClient,
  overrides: Partial<Omit<OpenClaim, "id">> & {
    amountVnd?: number;
    paidAt?: Date;
    merchantName?: string;
  } = {},
): Promise<OpenClaim> {
  const claim = {
    id: nextClaimId++,
    token: overrides.token ?? randomUUID(),
    merchantId: overrides.merchantId ?? "M-HOASEN",
    orderId: overrides.orderId ?? uniqueName("ORD"),
    deadline: overrides.deadline ?? new Date(Date.now() + 3_600_000),
  };
  await prisma.$executeRaw`
    INSERT INTO "invoice"."MerchantProfile" ("merchantId", "displayName", "claimWindowSeconds", "provider", "updatedAt")
    VALUES (${claim.merchantId}, ${overrides.merchantName ?? "Cửa hàng Hoa Sen"}, 86400, 'simulator', now())
    ON CONFLICT ("merchantId") DO NOTHING`;
  await prisma.$executeRaw`
    INSERT INTO "invoice"."Claim" ("id", "merchantId", "orderId", "token", "status", "claimDeadline",
      "orderAmountVnd", "orderPaidAt", "createdAt", "updatedAt")
    VALUES (${claim.id}, ${claim.merchantId}, ${claim.orderId}, ${claim.token}::uuid, 'OPEN', ${claim.deadline},
      ${BigInt(overrides.amountVnd ?? 1_250_000)}, ${overrides.paidAt ?? new Date()}, now(), now())`;
  return claim;
}

export interface TopicRecord {
  record: IncomingRecord;
  event: IssuanceEvent;
  /** When this test saw it (epoch ms). */
  seenAt: number;
}

export type IssuanceTopic = Awaited<ReturnType<typeof readIssuanceTopic>>;

/** Reads the test's issuance topic from the beginning, decoding every record with the registry. */
export async function readIssuanceTopic(stack: ClaimsStack) {
  const records: TopicRecord[] = [];
  const consumer = stack.kafka.consumer({ groupId: uniqueName("claims_it"), maxWaitTimeMs: 100 });
  await consumer.connect();
  await consumer.subscribe([stack.topic], { fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async (batch) => {
      for (const record of batch.records) {
        const { value } = await stack.codec.decode<IssuanceEventAvro>(record.value ?? Buffer.alloc(0));
        records.push({ record, event: issuanceEventFromAvro(value), seenAt: Date.now() });
      }
    },
  });
  await waitFor(() => consumer.assignment().length === 3, {
    timeoutMs: 60_000,
    description: "topic assignment",
  });
  return {
    records,
    of: (type: IssuanceEvent["type"]) => records.filter((r) => r.event.type === type),
    stop: () => consumer.disconnect(),
  };
}
