import {
  claimLinkSection,
  credentialsSection,
  durationMs,
  type Env,
  environmentShape,
  envSections,
  loadConfig,
  positiveInt,
  url,
} from "@invoice/config";
import { type ClientDefaults, createTopicCatalog, platformSections } from "@invoice/runtime";
import { z } from "zod";

// Batched state writes run next to per-order provider work (two or three transactions in flight per
// partition), hence a larger pool than the request-driven services.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 10 };

const topicName = () => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "must be a Kafka topic name");

/** The issuer's own variables (services/issuer/README.md lists them with examples). */
const issuerSection = z
  .object({
    ...environmentShape,
    /** SInvoice API root (the simulator's `/services/einvoiceapplication/api` in development). */
    ISSUER_PROVIDER_BASE_URL: url({ protocols: ["http", "https"] }).default(
      "http://127.0.0.1:31150/services/einvoiceapplication/api",
    ),
    /**
     * Provider account used when a merchant has no stored credential (ProviderCredential), outside
     * production only (development, tests, bench). Ignored in production: there a merchant without
     * one is not invoiced (PROVIDER_CREDENTIAL_MISSING), never under another account.
     */
    ISSUER_PROVIDER_USERNAME: z.string().min(1).default("0100109106-509"),
    ISSUER_PROVIDER_PASSWORD: z.string().min(1).default("simulator-password"),
    /** How long a merchant's decrypted credential (or its absence) is reused before reading it again. */
    ISSUER_CREDENTIAL_CACHE_TTL_MS: durationMs({ min: 1_000, max: 3_600_000 }).default(60_000),
    /** Merchants whose credentials are cached at most (least recently used dropped first). */
    ISSUER_CREDENTIAL_CACHE_MAX: positiveInt({ max: 1_000_000 }).default(10_000),
    /** Provider calls that fail transiently are retried this many times, then the invoice FAILS. */
    ISSUER_MAX_SEND_RETRIES: positiveInt({ max: 100 }).default(5),
    /** Exponential backoff of those retries (with full jitter), first and largest delay. */
    ISSUER_RETRY_BASE_MS: durationMs({ min: 1 }).default(1_000),
    ISSUER_RETRY_MAX_MS: durationMs({ min: 1 }).default(300_000),
    /** The domain's send lease (default 120 s; tests shorten it, see the domain README on leases). */
    ISSUER_SEND_LEASE_MS: durationMs({ min: 1_000 }).default(120_000),
    /** Claim window of merchants without a MerchantProfile row (0: anonymous invoice at once). */
    ISSUER_DEFAULT_CLAIM_WINDOW_MS: durationMs({ min: 0 }).default(86_400_000),
    /**
     * Topic names, each overriding one: by default the platform's (INVOICE_*_TOPIC, the names every
     * service of the environment is given; unset, the catalog's invoice.issuance and so on).
     */
    ISSUER_ISSUANCE_TOPIC: topicName().optional(),
    ISSUER_RETRY_TOPIC: topicName().optional(),
    ISSUER_DLQ_TOPIC: topicName().optional(),
    ISSUER_EVENTS_TOPIC: topicName().optional(),
    /** Consumer group (tests use their own). */
    ISSUER_GROUP_ID: z.string().min(1).optional(),
    /** Records admitted and not finished, at most (bounded memory with a backlog). */
    ISSUER_MAX_IN_FLIGHT: positiveInt({ max: 100_000 }).default(1_000),
    /** Handler calls (batches of ready records, one per order) running at once, and their size. */
    ISSUER_MAX_CONCURRENT_BATCHES: positiveInt({ max: 1_000 }).default(16),
    ISSUER_MAX_BATCH_SIZE: positiveInt({ max: 10_000 }).default(100),
    /** Events applied per database transaction at most, and such transactions at once (ADR 0019). */
    ISSUER_DB_GROUP_SIZE: positiveInt({ max: 10_000 }).default(250),
    ISSUER_DB_CONCURRENT_GROUPS: positiveInt({ max: 100 }).default(2),
    /** Outbox (ADR 0022): an event unpublished this long after its commit is relayed; how often to look. */
    ISSUER_OUTBOX_GRACE_MS: durationMs({ min: 1 }).default(60_000),
    ISSUER_OUTBOX_RELAY_INTERVAL_MS: durationMs({ min: 10 }).default(10_000),
    /** Start a group without committed offsets at the log start (tests, bench). */
    ISSUER_FROM_BEGINNING: z.enum(["true", "false"]).default("false"),
  })
  .transform((env) => ({
    provider: {
      baseUrl: env.ISSUER_PROVIDER_BASE_URL,
      fallbackCredentials: {
        username: env.ISSUER_PROVIDER_USERNAME,
        password: env.ISSUER_PROVIDER_PASSWORD,
      },
      credentialCache: {
        ttlMs: env.ISSUER_CREDENTIAL_CACHE_TTL_MS,
        maxEntries: env.ISSUER_CREDENTIAL_CACHE_MAX,
      },
    },
    retry: {
      maxRetries: env.ISSUER_MAX_SEND_RETRIES,
      baseMs: env.ISSUER_RETRY_BASE_MS,
      maxMs: Math.max(env.ISSUER_RETRY_MAX_MS, env.ISSUER_RETRY_BASE_MS),
    },
    sendLeaseMs: env.ISSUER_SEND_LEASE_MS,
    defaultClaimWindowMs: env.ISSUER_DEFAULT_CLAIM_WINDOW_MS,
    topics: {
      issuance: env.ISSUER_ISSUANCE_TOPIC,
      retry: env.ISSUER_RETRY_TOPIC,
      dlq: env.ISSUER_DLQ_TOPIC,
      events: env.ISSUER_EVENTS_TOPIC,
    },
    groupId: env.ISSUER_GROUP_ID,
    maxInFlight: env.ISSUER_MAX_IN_FLIGHT,
    maxConcurrentBatches: env.ISSUER_MAX_CONCURRENT_BATCHES,
    maxBatchSize: env.ISSUER_MAX_BATCH_SIZE,
    dbGroupSize: env.ISSUER_DB_GROUP_SIZE,
    dbConcurrentGroups: env.ISSUER_DB_CONCURRENT_GROUPS,
    outbox: { graceMs: env.ISSUER_OUTBOX_GRACE_MS, intervalMs: env.ISSUER_OUTBOX_RELAY_INTERVAL_MS },
    fromBeginning: env.ISSUER_FROM_BEGINNING === "true",
  }));

/**
 * issuer configuration: the platform's shared sections, the credentials keyring that decrypts
 * provider credentials (APP_ENV_INVOICE_CREDENTIALS_KEY: exactly 64 hex characters, else the issuer
 * refuses to start), the claim link (CLAIMS_LINK_BASE_URL, shared with claims: ClaimOpened carries
 * the link commerce prints) and the issuer's own section. See packages/config/README.md for the
 * shared ones.
 */
const schema = envSections({
  ...platformSections("issuer", CLIENT_DEFAULTS),
  credentials: credentialsSection,
  claimLink: claimLinkSection,
  issuer: issuerSection,
});

export const loadIssuerConfig = (env: Env) => {
  const config = loadConfig(schema, env);
  // The shared names (ingest and claims publish to them, the CLI replays onto them), unless the
  // issuer is given its own.
  const catalog = createTopicCatalog(config);
  const own = config.issuer.topics;
  const topics = {
    issuance: own.issuance ?? catalog.issuance.topic,
    retry: own.retry ?? catalog.issuanceRetry.topic,
    dlq: own.dlq ?? catalog.issuanceDlq.topic,
    events: own.events ?? catalog.events.topic,
  };
  return { ...config, issuer: { ...config.issuer, topics } };
};
export type IssuerConfig = ReturnType<typeof loadIssuerConfig>;
