import { InvalidSnowflakeError } from "./snowflake-errors.ts";
import {
  MAX_SEQUENCE,
  MAX_SNOWFLAKE,
  MAX_WORKER_ID,
  SNOWFLAKE_EPOCH_MS,
  TIMESTAMP_SHIFT,
  WORKER_ID_SHIFT,
} from "./snowflake-layout.ts";

export interface DecodedSnowflake {
  /** Milliseconds since the Unix epoch at which the id was issued. */
  timestamp: number;
  workerId: number;
  sequence: number;
}

const DECIMAL = /^(0|[1-9]\d{0,18})$/;

/** Parses the decimal string form (as carried in JSON and URLs); throws {@link InvalidSnowflakeError}. */
export function parseSnowflake(value: string): bigint {
  if (typeof value !== "string" || !DECIMAL.test(value)) {
    throw new InvalidSnowflakeError("snowflake id must be a decimal integer without sign or leading zeros");
  }
  return inRange(BigInt(value));
}

export function decodeSnowflake(id: bigint | string): DecodedSnowflake {
  const value = typeof id === "string" ? parseSnowflake(id) : inRange(id);
  return {
    timestamp: Number(value >> TIMESTAMP_SHIFT) + SNOWFLAKE_EPOCH_MS,
    workerId: Number((value >> WORKER_ID_SHIFT) & BigInt(MAX_WORKER_ID)),
    sequence: Number(value & BigInt(MAX_SEQUENCE)),
  };
}

function inRange(value: bigint): bigint {
  if (typeof value !== "bigint" || value < 0n || value > MAX_SNOWFLAKE) {
    throw new InvalidSnowflakeError("snowflake id must be between 0 and 2^63 - 1");
  }
  return value;
}
