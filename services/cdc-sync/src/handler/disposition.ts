import type { PlatformError } from "@invoice/errors";

/**
 * What became of one record, in the shape of the platform's per-key batch processing (one
 * disposition per record, aligned with the input):
 * - done: handled (applied or skipped on purpose); its offset may be committed;
 * - retry: a transient failure (database or registry unavailable); deliver the same record again;
 * - dead-letter: it can never succeed as it is; publish the original key/value bytes to the DLQ with
 *   the reason (DESIGN.md section 3: `deserialization` for undecodable records, `non-retryable` for
 *   records decoded but refused) and move on.
 */
export type Disposition =
  | { outcome: "done" }
  | { outcome: "retry"; error: unknown }
  | { outcome: "dead-letter"; reason: "deserialization" | "non-retryable"; error: PlatformError };

export const DONE: Disposition = { outcome: "done" };
