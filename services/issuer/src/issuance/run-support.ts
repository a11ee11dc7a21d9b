import { isRetriable, PlatformError } from "@invoice/errors";
import type { Logger } from "@invoice/observability";

/** The machine refused the event (its Reject code), or the provider refused the invoice for good. */
export class RejectedEventError extends PlatformError {
  override readonly name = "RejectedEventError";
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` again while it fails retriably (a database or broker outage, an order written
 * concurrently), with backoff up to 5 s, for about `budgetMs`; then the error goes up (the batch is
 * handed over again, so processing stalls and resumes by itself when the outage ends).
 */
export async function withRetries<T>(work: () => Promise<T>, log: Logger, budgetMs = 120_000): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRetriable(error) || Date.now() - started > budgetMs) throw error;
      const delay = Math.min(5_000, 100 * 2 ** attempt);
      log.warn({ err: error, attempt, delayMs: delay }, "[issuer] retriable failure, trying again");
      await sleep(delay);
    }
  }
}
