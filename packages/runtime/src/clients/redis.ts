import { once } from "node:events";
import type { Logger } from "@invoice/observability";
import { Redis } from "ioredis";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/**
 * The service's Redis connection. It connects at once and reconnects on its own; commands fail fast
 * while disconnected instead of queueing forever (no offline queue, one retry), so /ready and the
 * webhook replay cache answer promptly when Redis is down. Ready means the connection is up and PING
 * answers.
 */
export function createRedis(
  config: Pick<PlatformConfig, "infrastructure" | "clients" | "identity">,
  logger: Logger,
): ServiceClient<Redis> {
  const redis = new Redis(config.infrastructure.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.clients.redis.connectTimeoutMs,
    connectionName: config.identity.kafkaClientId,
  });
  // Without a listener ioredis reports every reconnect failure as an unhandled error event.
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  return {
    name: "redis",
    client: redis,
    readinessCheck: async () => {
      // Commands fail at once while the connection is being (re)established, which right after start
      // would report a healthy Redis as down: wait for the connection first, as long as a connect may take.
      if (redis.status !== "ready") {
        await once(redis, "ready", { signal: AbortSignal.timeout(config.clients.redis.connectTimeoutMs) });
      }
      await redis.ping();
    },
    close: async () => {
      // QUIT lets queued replies arrive; with no connection there is nothing to wait for.
      if (redis.status === "ready") await redis.quit();
      else redis.disconnect();
    },
  };
}
