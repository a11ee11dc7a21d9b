/**
 * What the handler says about each record of a batch, aligned with the batch. The layer carries it
 * out; the record's offset counts as finished only once that is done.
 */
export type DeadLetterReason = "exhausted" | "non-retryable" | "deserialization";

/** Finished: nothing more to do for this record. */
export interface Done {
  readonly outcome: "done";
}

/**
 * Applied, but not finished: the key is released now (the next record of the key may start), the
 * offset waits until `settled` resolves with what happens to the record in the end. A rejection of
 * `settled` is treated as a bug: the record goes to the DLQ with reason `non-retryable`.
 */
export interface Pending {
  readonly outcome: "pending";
  readonly settled: Promise<FinalDisposition>;
}

/**
 * Publish the record's original key and value to the retry topic with retry headers (attempt,
 * due time, failure times, error), then it counts as finished. It is handed over again from the
 * retry topic at `dueAt`, not before.
 */
export interface RetryLater {
  readonly outcome: "retry";
  /** Epoch milliseconds. */
  readonly dueAt: number;
  /** The attempt this retry will be: 1 for the first retry. */
  readonly attempt: number;
  readonly error: unknown;
}

/** Publish the original key and value bytes unchanged to the DLQ with DLQ headers, then finished. */
export interface DeadLetter {
  readonly outcome: "dead-letter";
  readonly reason: DeadLetterReason;
  readonly error: unknown;
}

export type FinalDisposition = Done | RetryLater | DeadLetter;
export type Disposition = FinalDisposition | Pending;

export const done = (): Done => ({ outcome: "done" });

export const pending = (settled: Promise<FinalDisposition>): Pending => ({ outcome: "pending", settled });

export function retryAt(dueAt: number, attempt: number, error: unknown): RetryLater {
  if (!Number.isFinite(dueAt)) throw new RangeError(`retry due time must be finite, got ${dueAt}`);
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`retry attempt must be >= 1, got ${attempt}`);
  return { outcome: "retry", dueAt, attempt, error };
}

export const deadLetter = (reason: DeadLetterReason, error: unknown): DeadLetter => ({
  outcome: "dead-letter",
  reason,
  error,
});

const REASONS: ReadonlySet<string> = new Set(["exhausted", "non-retryable", "deserialization"]);

/** True for a value the layer can carry out; a handler returning anything else has a bug. */
export function isDisposition(value: unknown): value is Disposition {
  if (!value || typeof value !== "object") return false;
  const d = value as Record<string, unknown>;
  switch (d.outcome) {
    case "done":
      return true;
    case "pending":
      return d.settled instanceof Promise;
    case "retry":
      return (
        typeof d.dueAt === "number" &&
        Number.isFinite(d.dueAt) &&
        Number.isInteger(d.attempt) &&
        (d.attempt as number) >= 1
      );
    case "dead-letter":
      return typeof d.reason === "string" && REASONS.has(d.reason);
    default:
      return false;
  }
}
