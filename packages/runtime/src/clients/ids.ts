import { acquireWorkerIdLease, type IdGenerator, WorkerIdLeaseError } from "@invoice/ids";
import type { Logger, Registry } from "@invoice/observability";
import type { PlatformConfig } from "../platform-config.ts";
import type { ServiceClient } from "./service-client.ts";

/**
 * The service's Snowflake id generator on a leased worker id (ADR 0012): a PostgreSQL session advisory
 * lock per worker id, preferring APP_ENV_INVOICE_WORKER_ID and taking another free id when an old pod
 * still holds it, so two replicas never mint ids with one worker id. `next()` throws a retriable
 * WorkerIdLeaseError while the lease is lost (the lease manager re-leases on its own); /ready reports
 * it as down meanwhile.
 *
 * Unlike the other factories this one waits for PostgreSQL: ids without a lease would be unsafe, so a
 * database that stays unreachable past the lease's acquire timeout refuses the start (retriable
 * WORKER_ID_LEASE_UNAVAILABLE; the orchestrator restarts the pod).
 */
export async function createIds(
  config: Pick<PlatformConfig, "identity" | "infrastructure" | "clients">,
  options: { logger: Logger; metrics?: Registry },
): Promise<ServiceClient<IdGenerator>> {
  const lease = await acquireWorkerIdLease({
    databaseUrl: config.infrastructure.databaseUrl,
    preferred: config.identity.workerId,
    connectionTimeoutMs: config.clients.postgres.connectionTimeoutMs,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return {
    name: "worker-id-lease",
    client: lease.generator,
    readinessCheck: async () => {
      if (!lease.isHeld()) {
        throw new WorkerIdLeaseError("no worker id lease is held: ids are refused until it is re-leased", {
          code: "WORKER_ID_LEASE_NOT_HELD",
        });
      }
    },
    close: () => lease.release(),
  };
}
