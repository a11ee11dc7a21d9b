import {
  claimLinkSection,
  durationMs,
  type Env,
  envField,
  environmentShape,
  envSections,
  integer,
  loadConfig,
  positiveInt,
} from "@invoice/config";
import { type ClientDefaults, platformSections } from "@invoice/runtime";
import { z } from "zod";

/** Redis key prefixes: letters, digits and `:_.-`, ending in ":" so keys read `<prefix>rate:...`. */
const redisPrefix = () =>
  envField((raw) =>
    /^[A-Za-z0-9:_.-]{1,64}:$/.test(raw)
      ? { ok: true as const, value: raw }
      : { ok: false as const, reason: 'must be 1-64 characters of [A-Za-z0-9:_.-] ending in ":"' },
  );

/**
 * The claims service's own variables (ADR 0014). Rate limits count requests per window; the expiry
 * timings trade Redis/PostgreSQL load against how soon after its deadline a claim expires.
 */
const claimsSection = z
  .object({
    ...environmentShape,
    /** Reverse proxies in front of the service that append to X-Forwarded-For (0: use the peer address). */
    CLAIMS_TRUSTED_PROXY_HOPS: integer({ min: 0, max: 10 }).default(0),
    /** Prefix of every Redis key this service writes (rate-limit counters, the expiry schedule). */
    CLAIMS_REDIS_KEY_PREFIX: redisPrefix().default("invoice:claims:"),
    /** Length of every rate-limit window, in seconds. */
    CLAIMS_RATE_LIMIT_WINDOW_SECONDS: positiveInt({ max: 86_400 }).default(60),
    /** Requests one client address may make per window, all claim endpoints together. */
    CLAIMS_RATE_LIMIT_PER_ADDRESS: positiveInt().default(120),
    /** Requests per window for one token, whoever makes them (page, JSON, QR). */
    CLAIMS_RATE_LIMIT_PER_TOKEN: positiveInt().default(60),
    /** Submissions (valid or not) per window for one token. */
    CLAIMS_RATE_LIMIT_SUBMISSIONS_PER_TOKEN: positiveInt().default(10),
    /**
     * Unknown or malformed tokens one address may try per window before every token request from it is
     * refused for the rest of the window: guessing tokens is the attack this stops.
     */
    CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS: positiveInt().default(20),
    /** How often the expiry worker pops due claims from the Redis schedule. */
    CLAIMS_EXPIRY_POLL_INTERVAL_MS: durationMs({ min: 10, max: 60_000 }).default(250),
    /**
     * How often the worker scans PostgreSQL: expires every open claim already past its deadline (what
     * Redis lost) and schedules those due within the horizon.
     */
    CLAIMS_EXPIRY_SCAN_INTERVAL_MS: durationMs({ min: 100, max: 3_600_000 }).default(5_000),
    /** How far ahead of their deadline the scan puts open claims into the Redis schedule. */
    CLAIMS_EXPIRY_HORIZON_MS: durationMs({ min: 200 }).default(60_000),
    /** Claims handled per database statement by the expiry worker and the outbox relay. */
    CLAIMS_EXPIRY_BATCH_SIZE: positiveInt({ max: 10_000 }).default(200),
    /** How often the outbox relay looks for claim events not yet acknowledged by Kafka. */
    CLAIMS_RELAY_INTERVAL_MS: durationMs({ min: 100, max: 600_000 }).default(2_000),
    /**
     * A publisher owns an unpublished claim event this long; after it the relay may publish it again
     * (same eventId, so the issuer dedupes).
     */
    CLAIMS_PUBLISH_LEASE_MS: durationMs({ min: 1_000 }).default(30_000),
    /** How long a submission request waits for Kafka before answering 202 and leaving it to the relay. */
    CLAIMS_PUBLISH_TIMEOUT_MS: durationMs({ min: 100 }).default(5_000),
  })
  .superRefine((env, ctx) => {
    if (env.CLAIMS_EXPIRY_HORIZON_MS < 2 * env.CLAIMS_EXPIRY_SCAN_INTERVAL_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["CLAIMS_EXPIRY_HORIZON_MS"],
        message:
          "must be at least twice CLAIMS_EXPIRY_SCAN_INTERVAL_MS, or claims due between scans expire late",
      });
    }
    if (env.CLAIMS_PUBLISH_LEASE_MS <= env.CLAIMS_PUBLISH_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["CLAIMS_PUBLISH_LEASE_MS"],
        message:
          "must be longer than CLAIMS_PUBLISH_TIMEOUT_MS, or the relay republishes events still in flight",
      });
    }
  })
  .transform((env) => ({
    trustedProxyHops: env.CLAIMS_TRUSTED_PROXY_HOPS,
    redisKeyPrefix: env.CLAIMS_REDIS_KEY_PREFIX,
    rateLimits: {
      windowSeconds: env.CLAIMS_RATE_LIMIT_WINDOW_SECONDS,
      perAddress: env.CLAIMS_RATE_LIMIT_PER_ADDRESS,
      perToken: env.CLAIMS_RATE_LIMIT_PER_TOKEN,
      submissionsPerToken: env.CLAIMS_RATE_LIMIT_SUBMISSIONS_PER_TOKEN,
      notFoundPerAddress: env.CLAIMS_RATE_LIMIT_NOT_FOUND_PER_ADDRESS,
    },
    expiry: {
      pollIntervalMs: env.CLAIMS_EXPIRY_POLL_INTERVAL_MS,
      scanIntervalMs: env.CLAIMS_EXPIRY_SCAN_INTERVAL_MS,
      horizonMs: env.CLAIMS_EXPIRY_HORIZON_MS,
      batchSize: env.CLAIMS_EXPIRY_BATCH_SIZE,
    },
    outbox: {
      relayIntervalMs: env.CLAIMS_RELAY_INTERVAL_MS,
      leaseMs: env.CLAIMS_PUBLISH_LEASE_MS,
      publishTimeoutMs: env.CLAIMS_PUBLISH_TIMEOUT_MS,
    },
  }));

/**
 * The claims section plus `linkBaseUrl`: CLAIMS_LINK_BASE_URL, the public link of a claim without
 * its token (QR codes, the page's links). Shared with the issuer, which puts the same link in
 * ClaimOpened, so it is defined once in @invoice/config (`claimLinkSection`).
 */
export type ClaimsSettings = z.output<typeof claimsSection> & { linkBaseUrl: string };
export type RateLimitSettings = ClaimsSettings["rateLimits"];
export type ExpirySettings = ClaimsSettings["expiry"];
export type OutboxSettings = ClaimsSettings["outbox"];

// One query or transaction per claim request, and one expiry scan at a time.
const CLIENT_DEFAULTS: ClientDefaults = { databasePoolMax: 5 };

/**
 * claims configuration: the platform's shared sections (runtime, infrastructure, identity, topics; see
 * packages/config/README.md), the claim link and the claims section above. Invalid values stop
 * start-up, naming each variable.
 */
const schema = envSections({
  ...platformSections("claims", CLIENT_DEFAULTS),
  claimLink: claimLinkSection,
  claims: claimsSection,
}).transform(({ claimLink, claims, ...platform }) => ({
  ...platform,
  claims: { ...claims, linkBaseUrl: claimLink.baseUrl } satisfies ClaimsSettings,
}));

export const loadClaimsConfig = (env: Env) => loadConfig(schema, env);
export type ClaimsConfig = ReturnType<typeof loadClaimsConfig>;
