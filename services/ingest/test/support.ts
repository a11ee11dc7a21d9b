/**
 * Fixtures of ingest's integration tests: the real main.ts as a child process against the shared stack
 * (its own database, Redis prefix, commerce topics and consumer groups), a JWKS server with ES256 keys
 * of the test's own, signed webhook requests, and a consumer that collects what ingest published.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signWebhook } from "@invoice/crypto";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import {
  type Consumer,
  createAvroCodec,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  silentLogger,
} from "@invoice/kafka";
import { topicCatalog, topicSpecs } from "@invoice/schemas";
import { type ServiceProcess, stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll } from "vitest";

export const stack = stackEnv();
export const MERCHANT_SECRET = `whsec_merchant_${randomBytes(24).toString("hex")}`;
export const MERCHANT_SECRET_PREVIOUS = `whsec_previous_${randomBytes(24).toString("hex")}`;
export const INTERNAL_SECRET = `whsec_internal_${randomBytes(24).toString("hex")}`;
export const ISSUER = "invoice-test-issuer";
export const AUDIENCE = "invoice-test-api";

export function kafkaClient(brokers = stack.kafkaBrokers): KafkaClient {
  return createKafkaJsClient({ brokers, clientId: uniqueName("ingest-it"), logger: silentLogger });
}

export const codec = createAvroCodec({ url: stack.schemaRegistryUrl });

/** Headers of a webhook request signed the documented way (t = now unless given). */
export function signedHeaders(
  body: string | Buffer,
  secret: string | string[],
  t = Math.floor(Date.now() / 1000),
) {
  return {
    "content-type": "application/json",
    "x-signature": signWebhook({ secret, timestamp: t, rawBody: body }),
  };
}

export interface Jwks {
  url: string;
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  publicJwk: JWK;
  /** How often the key set was fetched. */
  fetches(): number;
  token(
    claims: Record<string, unknown>,
    options?: {
      kid?: string;
      expiresIn?: string | number;
      issuer?: string;
      audience?: string;
      notBefore?: string | number;
    },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startJwks(): Promise<Jwks> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const kid = uniqueName("kid");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return {
    url,
    kid,
    privateKey,
    publicJwk,
    fetches: () => fetches,
    token: (claims, options = {}) => {
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: options.kid ?? kid })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "10m");
      if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
      return jwt.sign(privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Ingest {
  proc: ServiceProcess;
  url: string;
  database: TempDatabase;
  commerceTopics: { paymentSucceeded: string; invoiceRequested: string; paymentRefunded: string };
  serviceCode: string;
  stop(): Promise<void>;
}

/**
 * Starts ingest (services/ingest/src/main.ts) as an operator would. A database of its own, migrated;
 * the platform topics exist (as `migrate` would create them); unique commerce topics and service code,
 * so its consumer groups are its own.
 */
export async function startIngest(
  options: { env?: Record<string, string>; brokers?: string[]; database?: TempDatabase } = {},
): Promise<Ingest> {
  const database = options.database ?? (await createTempDatabase("ingest_it", { migrate: true }));
  const brokers = options.brokers ?? stack.kafkaBrokers;
  const commerceTopics = {
    paymentSucceeded: uniqueName("commerce.payment.succeeded"),
    invoiceRequested: uniqueName("commerce.invoice.requested"),
    paymentRefunded: uniqueName("commerce.payment.refunded"),
  };
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.ensureTopics(topicSpecs(topicCatalog()));
  } finally {
    await admin.disconnect();
  }
  const serviceCode = uniqueName("IT-INGEST").replaceAll("_", "-").toUpperCase();
  const proc = startServiceProcess("ingest", [], {
    KAFKA_BROKERS: brokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: stack.redisUrl,
    DATABASE_URL: database.url,
    PORT: "0",
    APP_ENV_INVOICE_SERVICE_CODE: serviceCode,
    APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
    WEBHOOK_SECRET: MERCHANT_SECRET,
    WEBHOOK_SECRET_PREVIOUS: MERCHANT_SECRET_PREVIOUS,
    WEBHOOK_INTERNAL_SECRET: INTERNAL_SECRET,
    WEBHOOK_REPLAY_KEY_PREFIX: uniqueName("it:replay"),
    COMMERCE_PAYMENT_SUCCEEDED_TOPIC: commerceTopics.paymentSucceeded,
    COMMERCE_INVOICE_REQUESTED_TOPIC: commerceTopics.invoiceRequested,
    COMMERCE_PAYMENT_REFUNDED_TOPIC: commerceTopics.paymentRefunded,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
    OUTBOUND_WEBHOOK_BACKOFF_BASE_MS: "100",
    OUTBOUND_WEBHOOK_BACKOFF_MAX_MS: "400",
    OUTBOUND_WEBHOOK_POLL_INTERVAL_MS: "100",
    OUTBOUND_WEBHOOK_TIMEOUT_MS: "1500",
    SHUTDOWN_GRACE_MS: "10000",
    LOG_LEVEL: "info",
    ...options.env,
  });
  const port = await proc.port();
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    database,
    commerceTopics,
    serviceCode,
    async stop() {
      await proc.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** Collects records of `topics` from the beginning (a group of its own) until `until` says enough. */
export async function collect(
  topics: string[],
  until: (records: IncomingRecord[]) => boolean,
  options: { brokers?: string[]; timeoutMs?: number; description?: string } = {},
): Promise<IncomingRecord[]> {
  const records: IncomingRecord[] = [];
  const consumer: Consumer = kafkaClient(options.brokers).consumer({
    groupId: uniqueName("it-collect"),
    maxWaitTimeMs: 250,
  });
  await consumer.connect();
  await consumer.subscribe(topics, { fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async (batch) => {
      records.push(...batch.records);
    },
  });
  try {
    await waitFor(() => until(records), {
      timeoutMs: options.timeoutMs ?? 60_000,
      description: options.description ?? `records on ${topics.join(",")}`,
    });
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** The decoded value of an invoice.issuance record. */
export async function decodeIssuance(record: IncomingRecord) {
  if (!record.value) throw new Error("tombstone");
  return (await codec.decode<Record<string, unknown>>(record.value)).value;
}

/**
 * One ingest (and a JWKS of its own) for a test file: started in beforeAll, stopped in afterAll.
 * Read `.ingest` / `.jwks` inside the tests.
 */
export function useIngest(env: Record<string, string> = {}, options: { brokers?: () => string[] } = {}) {
  const context = {} as { ingest: Ingest; jwks: Jwks };
  beforeAll(async () => {
    context.jwks = await startJwks();
    context.ingest = await startIngest({
      env: { JWKS_URL: context.jwks.url, ...env },
      ...(options.brokers ? { brokers: options.brokers() } : {}),
    });
  }, 300_000);
  afterAll(async () => {
    await context.ingest?.stop();
    await context.jwks?.close();
  });
  return context;
}
