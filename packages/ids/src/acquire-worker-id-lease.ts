import { createPostgresWorkerIdLocks } from "./postgres-worker-id-locks.ts";
import { startWorkerIdLease, type WorkerIdLease, type WorkerIdLeaseOptions } from "./worker-id-lease.ts";

export interface AcquireWorkerIdLeaseOptions extends Omit<WorkerIdLeaseOptions, "locks"> {
  /** postgresql:// URL of the platform database (the one every service already has). */
  databaseUrl: string;
  /** Give up opening the lease connection after this long (default 5000). */
  connectionTimeoutMs?: number;
}

/**
 * The composition root's one call: a worker id lease over a dedicated PostgreSQL connection
 * (session advisory lock per worker id), preferring the configured APP_ENV_INVOICE_WORKER_ID.
 *
 * ```ts
 * const lease = await acquireWorkerIdLease({ databaseUrl, preferred: config.identity.workerId, logger, metrics });
 * shutdown.register({ name: "worker id lease", stop: () => lease.release() }); // closes with the DB, last
 * const ids = lease.generator; // ids.next() throws a retriable WorkerIdLeaseError while no lease is held
 * ```
 */
export function acquireWorkerIdLease(options: AcquireWorkerIdLeaseOptions): Promise<WorkerIdLease> {
  const { databaseUrl, connectionTimeoutMs, ...leaseOptions } = options;
  const validityMs = leaseOptions.validityMs ?? 5_000;
  const locks = createPostgresWorkerIdLocks({
    databaseUrl,
    ...(connectionTimeoutMs === undefined ? {} : { connectionTimeoutMs }),
    // The server must take clearly longer to declare us dead than we take to stop trusting the lease.
    serverKeepaliveIdleSeconds: Math.max(15, Math.ceil((3 * validityMs) / 1_000)),
  });
  return startWorkerIdLease({ ...leaseOptions, locks });
}
