export { type DecodedSnowflake, decodeSnowflake, parseSnowflake } from "./decode-snowflake.ts";
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
} from "./snowflake-errors.ts";
export { MAX_SEQUENCE, MAX_WORKER_ID, SNOWFLAKE_EPOCH_MS } from "./snowflake-layout.ts";
