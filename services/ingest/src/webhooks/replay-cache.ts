import { createHash } from "node:crypto";
import type { Logger } from "@invoice/observability";
import type { Redis } from "ioredis";

/**
 * The webhook replay cache (Redis): an exact replay of an accepted delivery — the same signed
 * timestamp and the same body bytes — is answered 202 "duplicate" and publishes nothing. The key is a
 * digest of the signed content, per route; it lives a little longer than the signature tolerance (an
 * older replay fails the timestamp check anyway).
 *
 * Failure semantics: Redis unreachable is not a reason to refuse events (the issuer's eventId dedupe
 * is the last line, and ingest's eventIds derive from the sender's event id), so every operation
 * degrades to "not known" with a warning instead of throwing.
 */
export type ReplayClaim =
  | { state: "new" }
  | { state: "accepted"; eventId: string }
  | { state: "in-progress" }
  | { state: "unavailable" };

/** While a delivery is being published; long enough for a publish with its timeout. */
const IN_PROGRESS_SECONDS = 60;
const ACCEPTED = "accepted:";

export interface ReplayCache {
  claim(route: string, timestamp: number, rawBody: Buffer): Promise<{ key: string; claim: ReplayClaim }>;
  accepted(key: string, eventId: string): Promise<void>;
  release(key: string): Promise<void>;
}

export function createReplayCache(options: {
  redis: Redis;
  prefix: string;
  ttlSeconds: number;
  logger: Logger;
}): ReplayCache {
  const { redis, prefix, ttlSeconds, logger } = options;
  const degrade = (operation: string) => (error: unknown) => {
    logger.warn({ err: error, operation }, "webhook replay cache unavailable; relying on eventId dedupe");
  };
  return {
    async claim(route, timestamp, rawBody) {
      const digest = createHash("sha256").update(`${timestamp}.`).update(rawBody).digest("hex");
      const key = `${prefix}:${route}:${digest}`;
      try {
        const set = await redis.set(key, "in-progress", "EX", IN_PROGRESS_SECONDS, "NX");
        if (set === "OK") return { key, claim: { state: "new" } };
        const value = await redis.get(key);
        if (value?.startsWith(ACCEPTED))
          return { key, claim: { state: "accepted", eventId: value.slice(ACCEPTED.length) } };
        // Expired between the two calls: treat as new (the issuer's dedupe covers the race).
        return { key, claim: value === null ? { state: "new" } : { state: "in-progress" } };
      } catch (error) {
        degrade("claim")(error);
        return { key, claim: { state: "unavailable" } };
      }
    },
    async accepted(key, eventId) {
      await redis.set(key, `${ACCEPTED}${eventId}`, "EX", ttlSeconds).catch(degrade("accepted"));
    },
    async release(key) {
      await redis.del(key).catch(degrade("release"));
    },
  };
}
