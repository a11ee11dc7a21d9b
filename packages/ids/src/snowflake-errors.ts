export type SnowflakeClockErrorCode = "CLOCK_MOVED_BACKWARDS" | "CLOCK_OUT_OF_RANGE" | "CLOCK_STALLED";

/**
 * The clock cannot give a safe timestamp. `CLOCK_MOVED_BACKWARDS` beyond the tolerated skew is retriable:
 * once the clock has caught up with the last issued id, generation works again.
 */
export class SnowflakeClockError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: SnowflakeClockErrorCode,
    message: string,
    /** How far the clock went back, for `CLOCK_MOVED_BACKWARDS`. */
    readonly driftMs?: number,
  ) {
    super(message);
    this.name = "SnowflakeClockError";
    this.retriable = code === "CLOCK_MOVED_BACKWARDS";
  }
}

export class InvalidWorkerIdError extends Error {
  readonly code = "INVALID_WORKER_ID";
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = "InvalidWorkerIdError";
  }
}

export class InvalidSnowflakeError extends Error {
  readonly code = "INVALID_SNOWFLAKE";
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = "InvalidSnowflakeError";
  }
}
