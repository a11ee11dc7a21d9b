import { PlatformError } from "@invoice/errors";

export type SnowflakeClockErrorCode = "CLOCK_MOVED_BACKWARDS" | "CLOCK_OUT_OF_RANGE" | "CLOCK_STALLED";

/**
 * The clock cannot give a safe timestamp. Retriable when time itself will fix it: `CLOCK_MOVED_BACKWARDS`
 * beyond the tolerated skew (once the clock has caught up with the last issued id, generation works
 * again) and `CLOCK_STALLED` (no state was committed, so a later call simply tries again). A clock
 * before the epoch or past the 41-bit range will not fix itself.
 */
export class SnowflakeClockError extends PlatformError {
  override readonly name = "SnowflakeClockError";
  declare readonly code: SnowflakeClockErrorCode;
  /** How far the clock went back, for `CLOCK_MOVED_BACKWARDS`. */
  readonly driftMs: number | undefined;

  constructor(
    message: string,
    options: { code: SnowflakeClockErrorCode; driftMs?: number; cause?: unknown },
  ) {
    super(options.code, message, {
      retriable: options.code !== "CLOCK_OUT_OF_RANGE",
      cause: options.cause,
    });
    this.driftMs = options.driftMs;
  }
}

/** A worker id outside 0-1023 (a configuration or programming error). */
export class InvalidWorkerIdError extends PlatformError {
  override readonly name = "InvalidWorkerIdError";
  declare readonly code: "INVALID_WORKER_ID";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVALID_WORKER_ID", message, { retriable: false, cause: options.cause });
  }
}

/** A string or number that is not a Snowflake id (bad client input). */
export class InvalidSnowflakeError extends PlatformError {
  override readonly name = "InvalidSnowflakeError";
  declare readonly code: "INVALID_SNOWFLAKE";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVALID_SNOWFLAKE", message, { retriable: false, cause: options.cause });
  }
}

export type WorkerIdLeaseErrorCode =
  | "WORKER_ID_LEASE_NOT_HELD"
  | "NO_FREE_WORKER_ID"
  | "WORKER_ID_LEASE_UNAVAILABLE"
  | "WORKER_ID_LEASE_RELEASED";

/**
 * No worker id lease, so no ids. Retriable while the lease manager is (re-)acquiring one: the lease was
 * lost with its connection (`WORKER_ID_LEASE_NOT_HELD`), every id is taken (`NO_FREE_WORKER_ID`) or the
 * database cannot be reached (`WORKER_ID_LEASE_UNAVAILABLE`). Not retriable after `release()`
 * (`WORKER_ID_LEASE_RELEASED`): the process is shutting down.
 */
export class WorkerIdLeaseError extends PlatformError {
  override readonly name = "WorkerIdLeaseError";
  declare readonly code: WorkerIdLeaseErrorCode;

  constructor(message: string, options: { code: WorkerIdLeaseErrorCode; cause?: unknown }) {
    super(options.code, message, {
      retriable: options.code !== "WORKER_ID_LEASE_RELEASED",
      cause: options.cause,
    });
  }
}
