/**
 * Snowflake id layout (64 bits, top bit always 0 so ids fit PostgreSQL `bigint` and Java `long`):
 *
 *   | 0 | 41-bit milliseconds since SNOWFLAKE_EPOCH_MS | 10-bit worker id | 12-bit sequence |
 *
 * The custom epoch 2024-01-01T00:00:00Z gives 2^41 ms ≈ 69.7 years of ids, until mid-2093.
 * Changing the epoch or the layout would make new ids collide with or sort before old ones: never do it
 * for a deployment that has already issued ids.
 */
export const SNOWFLAKE_EPOCH_MS = Date.UTC(2024, 0, 1, 0, 0, 0, 0);

export const TIMESTAMP_BITS = 41n;
export const WORKER_ID_BITS = 10n;
export const SEQUENCE_BITS = 12n;

export const MAX_WORKER_ID = 2 ** Number(WORKER_ID_BITS) - 1;
export const MAX_SEQUENCE = 2 ** Number(SEQUENCE_BITS) - 1;
/** Largest representable offset from the epoch, in milliseconds. */
export const MAX_TIMESTAMP_OFFSET_MS = 2 ** Number(TIMESTAMP_BITS) - 1;

export const WORKER_ID_SHIFT = SEQUENCE_BITS;
export const TIMESTAMP_SHIFT = SEQUENCE_BITS + WORKER_ID_BITS;
export const MAX_SNOWFLAKE = (1n << (TIMESTAMP_BITS + TIMESTAMP_SHIFT)) - 1n;
