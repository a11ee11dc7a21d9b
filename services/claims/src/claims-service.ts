/**
 * Builds the claims modules from clients main.ts already made (and tests make the same way): the API
 * router for run mode `api`, the expiry worker (with the outbox relay) for run mode `worker`.
 * Nothing here reads configuration or opens a connection.
 */
import type { Logger, Registry } from "@invoice/observability";
import type { Router } from "express";
import type { Redis } from "ioredis";
import type { ClaimsSettings } from "./config.ts";
import { maskClaimTokens } from "./core/claim-token.ts";
import { administrativeUnitsLoader } from "./data/administrative-units.ts";
import { type ClaimsDatabase, createClaimRepository } from "./data/claim-repository.ts";
import { createClaimsRouter } from "./http/claims-router.ts";
import { createClaimRateLimits } from "./http/rate-limits.ts";
import { createClaimsMetrics } from "./metrics.ts";
import { buildPageAssets, type PageAssets } from "./page/page-assets.ts";
import { createClaimOutbox } from "./publish/claim-outbox.ts";
import type { IssuanceEventPublisher } from "./publish/issuance-publisher.ts";
import { type ClaimExpiryWorker, createClaimExpiryWorker } from "./worker/claim-expiry.worker.ts";
import { createExpirySchedule } from "./worker/expiry-schedule.ts";

export interface ClaimsServiceDependencies {
  db: ClaimsDatabase;
  /** PostgreSQL schema of the tables (DATABASE_URL's `schema`). */
  databaseSchema: string;
  redis: Redis;
  publisher: IssuanceEventPublisher;
  logger: Logger;
  metrics: Registry;
  /** Epoch milliseconds. */
  now: () => number;
  settings: ClaimsSettings;
}

/** Request logs name claim routes with the token masked (the shared request logger logs `path`). */
export function maskingLogger(logger: Logger): Logger {
  return logger.child({}, { serializers: { path: maskClaimTokens } });
}

function shared(deps: ClaimsServiceDependencies) {
  const metrics = createClaimsMetrics(deps.metrics);
  const repository = createClaimRepository({ db: deps.db, schema: deps.databaseSchema });
  const outbox = createClaimOutbox({
    repository,
    publisher: deps.publisher,
    now: deps.now,
    logger: deps.logger,
    metrics,
    settings: deps.settings.outbox,
  });
  return { metrics, repository, outbox };
}

export async function createClaimsApi(
  deps: ClaimsServiceDependencies & {
    bodyLimitBytes: number;
    newSubmissionId?: () => string;
    /** Built already (main.ts builds them before the port opens); built here otherwise. */
    assets?: PageAssets;
  },
): Promise<Router> {
  const { metrics, repository, outbox } = shared(deps);
  return createClaimsRouter({
    repository,
    outbox,
    metrics,
    units: administrativeUnitsLoader({ db: deps.db, schema: deps.databaseSchema }),
    rateLimits: createClaimRateLimits({
      redis: deps.redis,
      keyPrefix: deps.settings.redisKeyPrefix,
      settings: deps.settings.rateLimits,
    }),
    assets: deps.assets ?? (await buildPageAssets()),
    now: deps.now,
    ...(deps.newSubmissionId ? { newSubmissionId: deps.newSubmissionId } : {}),
    settings: {
      linkBaseUrl: deps.settings.linkBaseUrl,
      trustedProxyHops: deps.settings.trustedProxyHops,
      bodyLimitBytes: deps.bodyLimitBytes,
      publishTimeoutMs: deps.settings.outbox.publishTimeoutMs,
    },
  });
}

export function createClaimsWorker(deps: ClaimsServiceDependencies): ClaimExpiryWorker {
  const { metrics, repository, outbox } = shared(deps);
  return createClaimExpiryWorker({
    repository,
    outbox,
    metrics,
    schedule: createExpirySchedule({
      redis: deps.redis,
      key: `${deps.settings.redisKeyPrefix}expiry:schedule`,
    }),
    now: deps.now,
    logger: deps.logger,
    settings: { ...deps.settings.expiry, relayIntervalMs: deps.settings.outbox.relayIntervalMs },
  });
}
