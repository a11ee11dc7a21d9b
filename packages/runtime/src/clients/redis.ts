import { once } from "node:events";
import { invoiceGauge, type Logger, type Registry } from "@invoice/observability";
import { Redis } from "ioredis";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/**
 * The service's Redis connection. It connects at once and reconnects on its own; commands fail fast
 * while disconnected instead of queueing forever (no offline queue, one retry), so /ready and the
 * webhook replay cache answer promptly when Redis is down. Ready means the connection is up and PING
 * answers.
 *
 * Optional for /ready: every use of Redis has a fallback — ingest's replay cache degrades to the
 * issuer's eventId dedupe, the claims rate limits count in memory, the claim expiry worker scans
 * PostgreSQL — so a Redis outage degrades the services instead of taking them out of rotation
 * (/ready 200 "degraded", the check marked failed). A new use of Redis needs a fallback too.
 * `invoice_redis_connected` (1 while the connection is up) on the service's metrics says so to an
 * operator; the InvoiceRedisDown alert (docs/runbook.md) fires on it.
 */
export function createRedis(
  config: Pick<PlatformConfig, "infrastructure" | "clients" | "identity">,
  logger: Logger,
  options: { metrics?: Registry } = {},
): ServiceClient<Redis> {
  const redis = new Redis(config.infrastructure.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.clients.redis.connectTimeoutMs,
    commandTimeout: config.clients.redis.commandTimeoutMs,
    connectionName: config.identity.kafkaClientId,
  });
  // Without a listener ioredis reports every reconnect failure as an unhandled error event.
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  const connected = options.metrics
    ? invoiceGauge(options.metrics, {
        name: "redis_connected",
        help: "1 while the Redis connection is up; 0 while the service runs degraded without it",
      })
    : undefined;
  connected?.set(0);
  redis.on("ready", () => {
    connected?.set(1);
    logger.info("redis connected");
  });
  redis.on("close", () => connected?.set(0));
  return {
    name: "redis",
    client: redis,
    optional: true,
    readinessCheck: async () => {
      // Commands fail at once while the connection is being (re)established, which right after start
      // would report a healthy Redis as down: wait for the connection first, as long as a connect may take.
      if (redis.status !== "ready") {
        await once(redis, "ready", { signal: AbortSignal.timeout(config.clients.redis.connectTimeoutMs) });
      }
      await redis.ping();
    },
    close: async () => {
      // QUIT lets queued replies arrive; with no connection there is nothing to wait for. A hung
      // server never answers QUIT (it times out after REDIS_COMMAND_TIMEOUT_MS): close the socket.
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
