export {
  type AcquireWorkerIdLeaseOptions,
  acquireWorkerIdLease,
} from "./acquire-worker-id-lease.ts";
export { type DecodedSnowflake, decodeSnowflake, parseSnowflake } from "./decode-snowflake.ts";
export {
  createPostgresWorkerIdLocks,
  type PostgresWorkerIdLocksOptions,
  WORKER_ID_LEASE_APPLICATION_NAME,
  WORKER_ID_LOCK_NAMESPACE,
} from "./postgres-worker-id-locks.ts";
export {
  assertWorkerId,
  createSnowflakeGenerator,
  DEFAULT_MAX_BACKWARD_DRIFT_MS,
  type IdGenerator,
  type SnowflakeGeneratorOptions,
} from "./snowflake.ts";
export {
  InvalidSnowflakeError,
  InvalidWorkerIdError,
  SnowflakeClockError,
  type SnowflakeClockErrorCode,
  WorkerIdLeaseError,
  type WorkerIdLeaseErrorCode,
} from "./snowflake-errors.ts";
export { MAX_SEQUENCE, MAX_WORKER_ID, SNOWFLAKE_EPOCH_MS } from "./snowflake-layout.ts";
export {
  type LeaseLogger,
  startWorkerIdLease,
  type WorkerIdLease,
  type WorkerIdLeaseOptions,
} from "./worker-id-lease.ts";
export type { WorkerIdLockSession, WorkerIdLocks } from "./worker-id-locks.ts";
