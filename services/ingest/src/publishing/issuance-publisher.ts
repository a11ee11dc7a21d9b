/**
 * Publishes IssuanceEvents to invoice.issuance for the HTTP edge (webhooks, replay requests): Avro in
 * the Confluent wire format, keyed by orderId (murmur2), acks=all, and an answer within a bound.
 *
 * Requests queue and go out in batches: one send in flight at a time, the next batch being everything
 * that arrived meanwhile (kafkajs' idempotent producer sends one request per broker at a time anyway,
 * so batching is where the throughput comes from). Each publish resolves only once its record is
 * acknowledged by every in-sync replica.
 *
 * Bounded answers while the broker is gone: a publish not acknowledged within `timeoutMs` rejects
 * (the caller answers 503), and after such a failure every publish is refused at once for
 * `cooldownMs` (`sent: false`: nothing was handed to Kafka), then the next batch is the trial. A
 * record still queued when its time is up is taken out of the queue, so it is never sent. One that
 * was already handed to the producer may still be written later: kafkajs keeps retrying an idempotent
 * send (packages/kafka has no retry bound on its producer yet), so such a 503 says `sent: true` and the
 * record carries the same eventId the sender's retry will, which the issuer's dedupe drops. A send
 * whose every request has timed out no longer holds the queue: the next batch goes out beside it, so
 * publishing resumes as soon as the broker is back rather than when kafkajs' backoff next retries.
 */
import { PlatformError } from "@invoice/errors";
import type { AvroCodec, Headers, Producer, RecordMetadata } from "@invoice/kafka";
import { invoiceCounter, invoiceHistogram, type Logger, type Registry } from "@invoice/observability";
import { type IssuanceEvent, issuanceEventToAvro, loadSchema, valueSubject } from "@invoice/schemas";

export class PublishUnavailableError extends PlatformError {
  override readonly name = "PublishUnavailableError";
  constructor(
    message: string,
    /** false: the record never reached the producer; true: it may still be written. */
    readonly sent: boolean,
    options: { cause?: unknown } = {},
  ) {
    super("PUBLISH_UNAVAILABLE", message, { retriable: true, cause: options.cause });
  }
}

export const ISSUANCE_CONTENT_TYPE = "application/vnd.invoice.issuance-event.v1+avro";

export interface IssuancePublisherOptions {
  producer: Producer;
  codec: AvroCodec;
  topic: string;
  logger: Logger;
  metrics: Registry;
  timeoutMs: number;
  cooldownMs: number;
  /** Records per send, at most. Default 500. */
  maxBatch?: number;
  now?: () => number;
}

interface Waiting {
  key: string;
  value: Buffer;
  headers: Headers;
  resolve(metadata: RecordMetadata): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
  sent: boolean;
}

export class IssuancePublisher {
  private readonly queue: Waiting[] = [];
  /** The batch handed to the producer; abandoned (no longer blocking) once all its requests settled. */
  private inFlight: { batch: Waiting[]; done: Promise<void> } | undefined;
  private refuseUntil = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private schemaId: Promise<number> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly outcomes;
  private readonly latency;

  constructor(private readonly options: IssuancePublisherOptions) {
    this.now = options.now ?? Date.now;
    this.maxBatch = options.maxBatch ?? 500;
    this.outcomes = invoiceCounter(options.metrics, {
      name: "ingest_publish",
      help: "invoice.issuance publishes by the HTTP edge, by outcome (acknowledged, timeout, refused, failed)",
      labelNames: ["outcome"],
    });
    this.latency = invoiceHistogram(options.metrics, {
      name: "ingest_publish_duration",
      help: "Time from a publish request to its acks=all acknowledgement",
    });
  }

  /** Connects in the background: a broker that is down at start-up is a 503, not a failed start. */
  start(): void {
    this.connection().catch((error: unknown) => {
      this.options.logger.warn(
        { err: error },
        "issuance producer could not connect yet; publishes will retry",
      );
    });
  }

  /** The producer's connection, made once; a failed attempt is forgotten so the next send tries again. */
  private connection(): Promise<void> {
    this.connecting ??= this.options.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Stops taking publishes, lets the batch in flight finish (or the signal abort the wait), disconnects. */
  async stop(signal: AbortSignal): Promise<void> {
    this.stopped = true;
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    while (this.blocking() && !signal.aborted) await Promise.race([this.inFlight?.done, aborted]);
    for (const waiting of this.queue.splice(0))
      this.fail(waiting, new PublishUnavailableError("shutting down", false));
    await this.options.producer.disconnect();
  }

  /** Resolves with where the record was written once it is acknowledged (acks=all). */
  async publish(event: IssuanceEvent, extraHeaders: Headers = {}): Promise<RecordMetadata> {
    const started = this.now();
    if (this.stopped) throw new PublishUnavailableError("publisher is stopping", false);
    if (started < this.refuseUntil) {
      this.outcomes.inc({ outcome: "refused" });
      throw new PublishUnavailableError("Kafka was unreachable moments ago; not trying again yet", false);
    }
    const value = await this.encode(event);
    const headers: Headers = {
      eventId: event.eventId,
      "content-type": ISSUANCE_CONTENT_TYPE,
      ...extraHeaders,
    };
    const metadata = await new Promise<RecordMetadata>((resolve, reject) => {
      const waiting: Waiting = {
        key: event.orderId,
        value,
        headers,
        resolve,
        reject,
        settled: false,
        sent: false,
        timer: setTimeout(() => this.expire(waiting), this.options.timeoutMs),
      };
      this.queue.push(waiting);
      this.pump();
    });
    this.latency.observe((this.now() - started) / 1000);
    return metadata;
  }

  private async encode(event: IssuanceEvent): Promise<Buffer> {
    this.schemaId ??= this.options.codec
      .register(valueSubject(this.options.topic), loadSchema("issuance-event"))
      .catch((error: unknown) => {
        this.schemaId = undefined;
        throw error;
      });
    try {
      return await this.options.codec.encode(await this.schemaId, issuanceEventToAvro(event));
    } catch (error) {
      if (error instanceof PlatformError && error.retriable) {
        throw new PublishUnavailableError("schema registry unavailable", false, { cause: error });
      }
      throw error;
    }
  }

  private expire(waiting: Waiting): void {
    if (waiting.settled) return;
    const index = this.queue.indexOf(waiting);
    if (index >= 0) this.queue.splice(index, 1);
    this.refuseUntil = this.now() + this.options.cooldownMs;
    this.outcomes.inc({ outcome: "timeout" });
    this.fail(
      waiting,
      new PublishUnavailableError(
        `not acknowledged within ${this.options.timeoutMs} ms${waiting.sent ? "" : " (never sent)"}`,
        waiting.sent,
      ),
    );
    this.pump();
  }

  private blocking(): boolean {
    return this.inFlight?.batch.some((w) => !w.settled) ?? false;
  }

  private fail(waiting: Waiting, error: Error): void {
    if (waiting.settled) return;
    waiting.settled = true;
    clearTimeout(waiting.timer);
    waiting.reject(error);
  }

  private pump(): void {
    if (this.blocking() || this.queue.length === 0) return;
    if (this.now() < this.refuseUntil) {
      // Cooling down after a failure: what is queued waits (and times out) rather than being sent.
      this.pumpTimer ??= setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, this.refuseUntil - this.now());
      return;
    }
    const batch = this.queue.splice(0, this.maxBatch);
    for (const waiting of batch) waiting.sent = true;
    const current = { batch, done: Promise.resolve() };
    current.done = this.send(batch).finally(() => {
      if (this.inFlight === current) this.inFlight = undefined;
      this.pump();
    });
    this.inFlight = current;
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      await this.connection();
      const written = await this.options.producer.send(
        this.options.topic,
        batch.map((w) => ({ key: w.key, value: w.value, headers: w.headers })),
      );
      batch.forEach((waiting, i) => {
        const metadata = written[i];
        if (waiting.settled || !metadata) return;
        waiting.settled = true;
        clearTimeout(waiting.timer);
        this.outcomes.inc({ outcome: "acknowledged" });
        waiting.resolve(metadata);
      });
    } catch (error) {
      const retriable = error instanceof PlatformError && error.retriable;
      // A batch whose requests have all timed out already started its cool-down then; its failure
      // arriving now (kafkajs retries a send for a while) says nothing about the broker now — it
      // may be back — and must not refuse the requests that follow.
      if (retriable && batch.some((w) => !w.settled)) this.refuseUntil = this.now() + this.options.cooldownMs;
      this.outcomes.inc({ outcome: "failed" }, batch.length);
      this.options.logger.warn({ err: error, records: batch.length }, "issuance publish failed");
      for (const waiting of batch) {
        // A retriable failure may still have written part of the batch (another leader): unknown, so sent.
        this.fail(
          waiting,
          retriable
            ? new PublishUnavailableError("Kafka unavailable", true, { cause: error })
            : (error as Error),
        );
      }
    }
  }
}
