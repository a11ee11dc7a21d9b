import { InvalidWorkerIdError, SnowflakeClockError } from "./snowflake-errors.ts";
import {
  MAX_SEQUENCE,
  MAX_TIMESTAMP_OFFSET_MS,
  MAX_WORKER_ID,
  SNOWFLAKE_EPOCH_MS,
  TIMESTAMP_SHIFT,
  WORKER_ID_SHIFT,
} from "./snowflake-layout.ts";

/**
 * Port: unique, time-ordered 64-bit ids.
 *
 * Guarantees: ids from one generator strictly increase; ids from generators with different worker ids
 * never collide. Two processes running with the SAME worker id issue duplicates (two generators with
 * one id and one clock produced 1,998 duplicates in 4,000 ids), so services do not build this
 * generator from the configured id directly: they take a worker id lease (`acquireWorkerIdLease`,
 * worker-id-lease.ts), whose generator refuses to issue ids while no lease is held.
 *
 * Failure semantics: `next()` is synchronous. It busy-waits at most until the next millisecond when
 * 4096 ids were issued within one millisecond, and at most `maxBackwardDriftMs` when the clock stepped
 * back (NTP slew). It throws {@link SnowflakeClockError} when the clock went back further, is before the
 * epoch or past the 41-bit range, or stops advancing altogether. A call that throws changes nothing:
 * the next call cannot hand out a sequence that was already used.
 */
export interface IdGenerator {
  next(): bigint;
  /** Decimal string form: JSON and JavaScript numbers cannot carry 64-bit integers exactly. */
  nextString(): string;
}

export interface SnowflakeGeneratorOptions {
  /** 0–1023, unique among all processes issuing ids at the same time. */
  workerId: number;
  /** Milliseconds since the Unix epoch; injectable for tests. */
  clock?: () => number;
  /** Backward clock steps up to this size are waited out instead of failing. */
  maxBackwardDriftMs?: number;
}

export const DEFAULT_MAX_BACKWARD_DRIFT_MS = 5;

/**
 * Guard against a clock that never advances (a broken or frozen injected clock): spinning forever would
 * hang the process with no log line. Reading `Date.now()` this many times takes well over a second.
 */
const MAX_SPINS = 10_000_000;

export function createSnowflakeGenerator(options: SnowflakeGeneratorOptions): IdGenerator {
  const { workerId, clock = Date.now, maxBackwardDriftMs = DEFAULT_MAX_BACKWARD_DRIFT_MS } = options;
  assertWorkerId(workerId);
  if (!Number.isInteger(maxBackwardDriftMs) || maxBackwardDriftMs < 0) {
    throw new RangeError("maxBackwardDriftMs must be a non-negative integer");
  }
  const workerBits = BigInt(workerId) << WORKER_ID_SHIFT;
  let lastMs = -1;
  let sequence = 0;

  const readClock = (): number => {
    const now = Math.floor(clock());
    const offset = now - SNOWFLAKE_EPOCH_MS;
    if (!Number.isFinite(now) || offset < 0 || offset > MAX_TIMESTAMP_OFFSET_MS) {
      throw new SnowflakeClockError(
        `clock reads ${now}, outside the Snowflake range starting at ${new Date(SNOWFLAKE_EPOCH_MS).toISOString()}`,
        { code: "CLOCK_OUT_OF_RANGE" },
      );
    }
    return now;
  };

  /** Spins until the clock reads at least `target`. */
  const waitUntil = (target: number): number => {
    for (let spins = 0; spins < MAX_SPINS; spins++) {
      const now = readClock();
      if (now >= target) return now;
    }
    throw new SnowflakeClockError(`clock did not reach ${target} ms; is it frozen?`, {
      code: "CLOCK_STALLED",
    });
  };

  // State (`lastMs`, `sequence`) is written only after every wait succeeded: a throwing wait must leave
  // the generator exactly as it was, or the next call would hand out a sequence already used.
  const next = (): bigint => {
    let now = readClock();
    if (now < lastMs) {
      const driftMs = lastMs - now;
      if (driftMs > maxBackwardDriftMs) {
        throw new SnowflakeClockError(
          `clock moved back ${driftMs} ms (tolerated: ${maxBackwardDriftMs} ms); refusing to issue ids that could repeat`,
          { code: "CLOCK_MOVED_BACKWARDS", driftMs },
        );
      }
      now = waitUntil(lastMs);
    }
    let nextSequence = 0;
    if (now === lastMs) {
      nextSequence = (sequence + 1) & MAX_SEQUENCE;
      if (nextSequence === 0) now = waitUntil(lastMs + 1);
    }
    lastMs = now;
    sequence = nextSequence;
    return (BigInt(now - SNOWFLAKE_EPOCH_MS) << TIMESTAMP_SHIFT) | workerBits | BigInt(sequence);
  };

  return { next, nextString: () => next().toString() };
}

export function assertWorkerId(workerId: number): void {
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
    throw new InvalidWorkerIdError(
      `worker id must be an integer from 0 to ${MAX_WORKER_ID}, got ${workerId}`,
    );
  }
}
