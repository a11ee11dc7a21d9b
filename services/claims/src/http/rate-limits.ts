/**
 * Rate limits of the claim endpoints (rate-limiter-flexible over Redis, fixed windows):
 * - per client address, every claim request;
 * - per token, every request naming it (page, JSON, QR), whoever makes it;
 * - per token, submissions;
 * - per client address, unknown or malformed tokens: once spent, the address gets 429 on every token
 *   for the rest of the window, which is what makes guessing tokens hopeless.
 * Keys hold a hash of the token, never the token (claim-token.ts `tokenKey`).
 *
 * Failure semantics: a Redis outage does not open the gates: each limiter falls back to an in-memory
 * limiter of the same size (per process), and the requests keep their limits.
 */
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { RateLimitSettings } from "../config.ts";

export type LimitName = "address" | "token" | "submissions" | "not_found";

export type LimitVerdict = { ok: true } | { ok: false; limit: LimitName; retryAfterSeconds: number };

export interface ClaimRateLimits {
  /** Counts one request of the address; refuses it when the address is over its limit. */
  address(address: string): Promise<LimitVerdict>;
  /** Refuses (without counting) when the address already spent its unknown-token budget. */
  notFoundBudget(address: string): Promise<LimitVerdict>;
  /** Counts one unknown or malformed token for the address. */
  recordNotFound(address: string): Promise<void>;
  token(tokenKey: string): Promise<LimitVerdict>;
  submission(tokenKey: string): Promise<LimitVerdict>;
}

export function createClaimRateLimits({
  redis,
  keyPrefix,
  settings,
}: {
  redis: Redis;
  keyPrefix: string;
  settings: RateLimitSettings;
}): ClaimRateLimits {
  const limiter = (name: LimitName, points: number): RateLimiterAbstract =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}rate:${name}`,
      points,
      duration: settings.windowSeconds,
      // Not connected: answer from the in-memory stand-in at once rather than wait for Redis.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: settings.windowSeconds }),
    });
  const limiters = {
    address: limiter("address", settings.perAddress),
    token: limiter("token", settings.perToken),
    submissions: limiter("submissions", settings.submissionsPerToken),
    not_found: limiter("not_found", settings.notFoundPerAddress),
  } satisfies Record<LimitName, RateLimiterAbstract>;

  const refused = (limit: LimitName, msBeforeNext: number): LimitVerdict => ({
    ok: false,
    limit,
    retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
  });

  async function consume(limit: LimitName, key: string): Promise<LimitVerdict> {
    try {
      await limiters[limit].consume(key);
      return { ok: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return refused(limit, rejection.msBeforeNext);
      throw rejection;
    }
  }

  return {
    address: (address) => consume("address", address),
    async notFoundBudget(address) {
      const state = await limiters.not_found.get(address);
      if (state && state.consumedPoints >= settings.notFoundPerAddress)
        return refused("not_found", state.msBeforeNext);
      return { ok: true };
    },
    async recordNotFound(address) {
      await limiters.not_found.penalty(address, 1);
    },
    token: (tokenKey) => consume("token", tokenKey),
    submission: (tokenKey) => consume("submissions", tokenKey),
  };
}
