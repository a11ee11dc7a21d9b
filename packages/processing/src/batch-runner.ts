import { isRetriable, PlatformError } from "@invoice/errors";
import type { Logger } from "@invoice/observability";
import { backoffDelay } from "./backoff.ts";
import { type Disposition, deadLetter, type FinalDisposition, isDisposition } from "./dispositions.ts";
import { readRetryInfo } from "./record-headers.ts";
import type { BatchHandler, Delivery } from "./types.ts";
import type { WorkEntry } from "./work.ts";

export interface BatchRunnerHooks<T> {
  decode(entry: WorkEntry): T | Promise<T>;
  handle: BatchHandler<T>;
  /** Carries out a final disposition (publishes retry/DLQ records, then finishes the record). */
  settle(entry: WorkEntry, disposition: FinalDisposition): void;
  /** Gives the key back. */
  release(entry: WorkEntry): void;
  logOf(entry: WorkEntry): Logger;
  stallChanged(delta: 1 | -1): void;
  stalledOn(topic: string): void;
  /** True past the stop deadline: stop retrying, leave records unfinished. */
  abandoning(): boolean;
  backoff: { initialMs: number; maxMs: number };
  logger: Logger;
}

/** A pending disposition whose promise rejected: the handler broke its contract. */
class PendingRejectedError extends PlatformError {
  override readonly name = "PendingRejectedError";
  constructor(cause: unknown) {
    super("PROCESSING_PENDING_REJECTED", "a pending disposition's promise rejected", {
      retriable: false,
      cause,
    });
  }
}

/** The handler returned something other than one disposition per record. */
class HandlerContractError extends PlatformError {
  override readonly name = "HandlerContractError";
  constructor(message: string) {
    super("PROCESSING_HANDLER_CONTRACT", message, { retriable: false });
  }
}

/**
 * Runs handler calls for batches of ready records: decode, call, carry out dispositions. A
 * retriable throw retries the same records in place with backoff (the processor starts no other
 * batch meanwhile: an outage hits every record alike); any other throw re-runs the records one by one
 * and dead-letters the one that still throws alone (reason non-retryable).
 */
export class BatchRunner<T> {
  constructor(private readonly hooks: BatchRunnerHooks<T>) {}

  async run(entries: WorkEntry[]): Promise<void> {
    let remaining = entries;
    for (let failures = 0; ; ) {
      if (this.hooks.abandoning()) return this.endStall(failures);
      try {
        await this.decodeAndHandle(remaining);
        return this.endStall(failures);
      } catch (error) {
        // Records that failed to decode were dead-lettered already: they must not run again.
        remaining = remaining.filter((entry) => entry.state === "active");
        const topic = remaining[0]?.item.record.topic ?? "";
        if (isRetriable(error)) {
          if (failures === 0) this.hooks.stallChanged(1);
          failures += 1;
          const delayMs = backoffDelay(failures, this.hooks.backoff);
          this.hooks.stalledOn(topic);
          this.hooks.logger.warn(
            { err: error, topic, records: remaining.length, failures, delayMs },
            "[processing] retriable failure, retrying the same records in place",
          );
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          continue;
        }
        this.endStall(failures);
        if (remaining.length > 1) {
          this.hooks.logger.warn(
            { err: error, topic, records: remaining.length },
            "[processing] batch failed, running its records one by one to isolate the failing one",
          );
          for (const entry of remaining) await this.run([entry]);
          return;
        }
        const [entry] = remaining;
        if (entry) this.finalize(entry, deadLetter("non-retryable", error));
        return;
      }
    }
  }

  private endStall(failures: number): void {
    if (failures > 0) {
      this.hooks.stallChanged(-1);
      this.hooks.logger.info({ failures }, "[processing] resumed after retriable failures");
    }
  }

  /** Gives the key back and carries the disposition out. */
  private finalize(entry: WorkEntry, disposition: FinalDisposition): void {
    this.hooks.release(entry);
    this.hooks.settle(entry, disposition);
  }

  /** Decode failures are dead-lettered (and their keys released) before the handler is called. */
  private async decodeAndHandle(entries: WorkEntry[]): Promise<void> {
    const decoded = await Promise.all(
      entries.map(async (entry) => {
        try {
          return { entry, value: await this.hooks.decode(entry) };
        } catch (error) {
          if (isRetriable(error)) throw error;
          return { entry, error };
        }
      }),
    );
    const ready: Array<{ entry: WorkEntry; value: T }> = [];
    for (const d of decoded) {
      if ("error" in d) this.finalize(d.entry, deadLetter("deserialization", d.error));
      else ready.push(d as { entry: WorkEntry; value: T });
    }
    if (ready.length === 0) return;
    const deliveries = ready.map(({ entry, value }) => this.delivery(entry, value));
    const dispositions: unknown = await this.hooks.handle(deliveries);
    if (!Array.isArray(dispositions) || dispositions.length !== ready.length) {
      throw new HandlerContractError(
        `handler returned ${Array.isArray(dispositions) ? dispositions.length : typeof dispositions} dispositions for ${ready.length} records`,
      );
    }
    const invalid = dispositions.findIndex((d) => !isDisposition(d));
    if (invalid >= 0) throw new HandlerContractError(`disposition ${invalid} is not one the layer knows`);
    ready.forEach(({ entry }, i) => {
      this.apply(entry, dispositions[i] as Disposition);
    });
  }

  private apply(entry: WorkEntry, disposition: Disposition): void {
    // Every disposition gives the key back now: done and retry/DLQ records are finished as far as
    // ordering goes, and pending means "applied, the next record of this key may start".
    this.hooks.release(entry);
    if (disposition.outcome !== "pending") {
      this.hooks.settle(entry, disposition);
      return;
    }
    entry.item.pending = true;
    disposition.settled.then(
      (final: unknown) => {
        entry.item.pending = false;
        this.hooks.settle(
          entry,
          isDisposition(final) && final.outcome !== "pending"
            ? final
            : deadLetter(
                "non-retryable",
                new HandlerContractError("a pending disposition settled with no final one"),
              ),
        );
      },
      (error: unknown) => {
        entry.item.pending = false;
        this.hooks
          .logOf(entry)
          .error({ err: error }, "[processing] pending work rejected; dead-lettering the record");
        this.hooks.settle(entry, deadLetter("non-retryable", new PendingRejectedError(error)));
      },
    );
  }

  private delivery(entry: WorkEntry, value: T): Delivery<T> {
    const { record, key } = entry.item;
    const hooks = this.hooks;
    return {
      record,
      value,
      key,
      retry: readRetryInfo(record.headers),
      get log() {
        return hooks.logOf(entry);
      },
    };
  }
}
