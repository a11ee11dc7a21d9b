import {
  booleanFlag,
  credentialsSection,
  durationMs,
  type Env,
  environmentShape,
  envSections,
  integer,
  isDeployed,
  loadConfig,
  positiveInt,
  secret,
  url,
} from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";
import { z } from "zod";

// Reads (merchant profiles, webhook endpoints), the delivery log and the delivery worker's claims.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 5 };

/** What development and test use when nothing is set: the dev JWKS the stack serves (stack/stack.sh). */
export const DEV_JWT = {
  JWKS_URL: "http://127.0.0.1:31151/.well-known/jwks.json",
  JWT_ISSUER: "invoice-dev",
  JWT_AUDIENCE: "invoice-merchant-api",
} as const;

const REQUIRED_WHEN_DEPLOYED = [
  "JWKS_URL",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "WEBHOOK_SECRET",
  "WEBHOOK_INTERNAL_SECRET",
];

const topicName = () => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "must be a Kafka topic name");

/**
 * ingest's own variables. Secrets are at least 32 characters (an HMAC key shorter than that is
 * guessable offline from one signed request). `*_PREVIOUS` secrets are the ones being rotated out:
 * a request signed with either the current or the previous secret is accepted.
 */
const ingestSection = z
  .object({
    ...environmentShape,
    /** merchant → platform webhooks (POST /v1/api/webhooks/merchant). */
    WEBHOOK_SECRET: secret({ minLength: 32 }).optional(),
    WEBHOOK_SECRET_PREVIOUS: secret({ minLength: 32 }).optional(),
    /** iiapi/commerce → platform webhooks (POST /v1/api/webhooks/internal). */
    WEBHOOK_INTERNAL_SECRET: secret({ minLength: 32 }).optional(),
    WEBHOOK_INTERNAL_SECRET_PREVIOUS: secret({ minLength: 32 }).optional(),
    /** How far a signature's timestamp may be from our clock, seconds. */
    WEBHOOK_TOLERANCE_SECONDS: positiveInt({ max: 3_600 }).default(300),
    /** Redis key prefix of the replay cache (tests use their own). */
    WEBHOOK_REPLAY_KEY_PREFIX: z.string().min(1).default("invoice:ingest:replay"),
    /** A webhook or API publish not acknowledged (acks=all) within this answers 503. */
    INGEST_PUBLISH_TIMEOUT_MS: durationMs({ min: 100, max: 60_000 }).default(5_000),
    /** After a failed publish, requests are refused at once (503) for this long, then one batch tries. */
    INGEST_PUBLISH_COOLDOWN_MS: durationMs({ min: 0, max: 60_000 }).default(1_000),
    /** Retry-After of a 503. */
    INGEST_RETRY_AFTER_SECONDS: positiveInt({ max: 3_600 }).default(5),
    /** Commerce input topics (commerce's names; DESIGN.md section 3). */
    COMMERCE_PAYMENT_SUCCEEDED_TOPIC: topicName().default("commerce.payment.succeeded"),
    COMMERCE_INVOICE_REQUESTED_TOPIC: topicName().default("commerce.invoice.requested"),
    COMMERCE_PAYMENT_REFUNDED_TOPIC: topicName().default("commerce.payment.refunded"),
    /** Consume the commerce topics and invoice.events (false: HTTP only, e.g. a dedicated API replica). */
    INGEST_CONSUMERS_ENABLED: booleanFlag().default(true),
    /** Merchant REST API: where the signing keys are, and what the tokens must say. */
    JWKS_URL: url({ protocols: ["http", "https"] }).optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    /** Clock skew allowed on exp/nbf/iat, seconds. */
    JWT_CLOCK_SKEW_SECONDS: integer({ min: 0, max: 300, unit: " (seconds)" }).default(30),
    /** An unknown key id refreshes the JWKS at most once per this long (jose cooldown). */
    JWKS_REFRESH_COOLDOWN_MS: durationMs({ min: 0 }).default(30_000),
    /** Keys are refetched after this long even without an unknown kid. */
    JWKS_CACHE_MAX_AGE_MS: durationMs({ min: 1_000 }).default(600_000),
    JWKS_TIMEOUT_MS: durationMs({ min: 100 }).default(5_000),
    /** Idempotency-Key records live this long. */
    IDEMPOTENCY_TTL_SECONDS: positiveInt({ max: 7 * 86_400 }).default(86_400),
    /** Outbound webhooks: local use only — allow loopback/private targets and plain http. */
    OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanFlag().default(false),
    OUTBOUND_WEBHOOK_TIMEOUT_MS: durationMs({ min: 100, max: 60_000 }).default(10_000),
    OUTBOUND_WEBHOOK_MAX_ATTEMPTS: positiveInt({ max: 50 }).default(12),
    OUTBOUND_WEBHOOK_BACKOFF_BASE_MS: durationMs({ min: 1 }).default(10_000),
    OUTBOUND_WEBHOOK_BACKOFF_MAX_MS: durationMs({ min: 1 }).default(3_600_000),
    /** Deliveries in flight per process, and per endpoint (a dead endpoint holds only its own slots). */
    OUTBOUND_WEBHOOK_CONCURRENCY: positiveInt({ max: 256 }).default(16),
    OUTBOUND_WEBHOOK_PER_ENDPOINT_CONCURRENCY: positiveInt({ max: 32 }).default(2),
    OUTBOUND_WEBHOOK_POLL_INTERVAL_MS: durationMs({ min: 10 }).default(1_000),
    /** After a secret rotation, deliveries are signed with both secrets for this long. */
    OUTBOUND_WEBHOOK_SECRET_GRACE_SECONDS: positiveInt({ max: 30 * 86_400 }).default(86_400),
  })
  .superRefine((env, ctx) => {
    if (isDeployed(env)) {
      for (const variable of REQUIRED_WHEN_DEPLOYED) {
        if (env[variable as keyof typeof env] !== undefined) continue;
        ctx.addIssue({ code: "custom", path: [variable], message: "must be set in staging and production" });
      }
      if (env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS) {
        ctx.addIssue({
          code: "custom",
          path: ["OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS"],
          message: "is for local use only: it would let merchant endpoints reach the platform's own network",
        });
      }
    }
    const merchant = [env.WEBHOOK_SECRET, env.WEBHOOK_SECRET_PREVIOUS].filter(Boolean);
    const internal = [env.WEBHOOK_INTERNAL_SECRET, env.WEBHOOK_INTERNAL_SECRET_PREVIOUS].filter(Boolean);
    if (merchant.some((s) => internal.includes(s))) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_INTERNAL_SECRET"],
        message: "must differ from the merchant webhook secrets: the two routes are not interchangeable",
      });
    }
    if (env.WEBHOOK_SECRET_PREVIOUS && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_SECRET"],
        message: "must be set when a previous one is",
      });
    }
    if (env.WEBHOOK_INTERNAL_SECRET_PREVIOUS && !env.WEBHOOK_INTERNAL_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_INTERNAL_SECRET"],
        message: "must be set when a previous one is",
      });
    }
    if (env.OUTBOUND_WEBHOOK_BACKOFF_MAX_MS < env.OUTBOUND_WEBHOOK_BACKOFF_BASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["OUTBOUND_WEBHOOK_BACKOFF_MAX_MS"],
        message: "must be at least OUTBOUND_WEBHOOK_BACKOFF_BASE_MS",
      });
    }
  })
  .transform((env) => ({
    webhooks: {
      merchantSecrets: secrets(env.WEBHOOK_SECRET, env.WEBHOOK_SECRET_PREVIOUS),
      internalSecrets: secrets(env.WEBHOOK_INTERNAL_SECRET, env.WEBHOOK_INTERNAL_SECRET_PREVIOUS),
      toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
      // A replay older than the tolerance fails the timestamp check anyway; keep keys a little longer.
      replayTtlSeconds: env.WEBHOOK_TOLERANCE_SECONDS * 2 + 60,
      replayKeyPrefix: env.WEBHOOK_REPLAY_KEY_PREFIX,
    },
    publish: {
      timeoutMs: env.INGEST_PUBLISH_TIMEOUT_MS,
      cooldownMs: env.INGEST_PUBLISH_COOLDOWN_MS,
      retryAfterSeconds: env.INGEST_RETRY_AFTER_SECONDS,
    },
    commerceTopics: {
      paymentSucceeded: env.COMMERCE_PAYMENT_SUCCEEDED_TOPIC,
      invoiceRequested: env.COMMERCE_INVOICE_REQUESTED_TOPIC,
      paymentRefunded: env.COMMERCE_PAYMENT_REFUNDED_TOPIC,
    },
    consumersEnabled: env.INGEST_CONSUMERS_ENABLED,
    jwt: {
      jwksUrl: env.JWKS_URL ?? DEV_JWT.JWKS_URL,
      issuer: env.JWT_ISSUER ?? DEV_JWT.JWT_ISSUER,
      audience: env.JWT_AUDIENCE ?? DEV_JWT.JWT_AUDIENCE,
      clockSkewSeconds: env.JWT_CLOCK_SKEW_SECONDS,
      refreshCooldownMs: env.JWKS_REFRESH_COOLDOWN_MS,
      cacheMaxAgeMs: env.JWKS_CACHE_MAX_AGE_MS,
      timeoutMs: env.JWKS_TIMEOUT_MS,
    },
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    outbound: {
      allowPrivateTargets: env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: env.OUTBOUND_WEBHOOK_TIMEOUT_MS,
      maxAttempts: env.OUTBOUND_WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: env.OUTBOUND_WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: env.OUTBOUND_WEBHOOK_BACKOFF_MAX_MS,
      concurrency: env.OUTBOUND_WEBHOOK_CONCURRENCY,
      perEndpointConcurrency: env.OUTBOUND_WEBHOOK_PER_ENDPOINT_CONCURRENCY,
      pollIntervalMs: env.OUTBOUND_WEBHOOK_POLL_INTERVAL_MS,
      secretGraceSeconds: env.OUTBOUND_WEBHOOK_SECRET_GRACE_SECONDS,
    },
  }));

function secrets(current: string | undefined, previous: string | undefined): string[] {
  return [current, previous].filter((s): s is string => s !== undefined);
}

/**
 * ingest configuration: the platform's shared sections (runtime, infrastructure, identity, topics),
 * the credentials key (provider credentials and webhook secrets are stored AES-256-GCM encrypted) and
 * ingest's own section above. Invalid values stop start-up, naming each variable.
 */
const schema = envSections({
  ...platformSections("ingest", CLIENT_DEFAULTS),
  credentials: credentialsSection,
  ingest: ingestSection,
});

export const loadIngestConfig = (env: Env) => loadConfig(schema, env);
export type IngestConfig = ReturnType<typeof loadIngestConfig>;
