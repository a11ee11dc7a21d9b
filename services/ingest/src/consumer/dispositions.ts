/**
 * TEMPORARY (until @invoice/processing lands, branch i7-kafka): the same disposition values as that
 * package's `done()` / `deadLetter()`, so the handlers need only an import change when the consumer
 * module below is replaced by its RecordProcessor.
 */
export type DeadLetterReason = "exhausted" | "non-retryable" | "deserialization";

export type Disposition =
  | { readonly outcome: "done" }
  | { readonly outcome: "dead-letter"; readonly reason: DeadLetterReason; readonly error: unknown };

export const done = (): Disposition => ({ outcome: "done" });

export const deadLetter = (reason: DeadLetterReason, error: unknown): Disposition => ({
  outcome: "dead-letter",
  reason,
  error,
});
