import type {
  AssignmentChange,
  BatchContext,
  BatchOutcome,
  Consumer,
  IncomingRecord,
  RecordBatch,
  TopicPartition,
} from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import { BatchRunner } from "./batch-runner.ts";
import type { FinalDisposition } from "./dispositions.ts";
import { FinishedRanges } from "./finished-ranges.ts";
import { KeyScheduler } from "./key-scheduler.ts";
import { OffsetCommitter } from "./offset-committer.ts";
import { OutcomePublisher } from "./outcome-publisher.ts";
import { OutcomeRouter } from "./outcome-router.ts";
import { noProcessingMetrics, type ProcessingMetrics, type RecordOutcome } from "./processing-metrics.ts";
import { dueAtOf } from "./record-headers.ts";
import { type ProcessingLimits, type RecordProcessorOptions, resolveLimits } from "./types.ts";
import {
  newPartitionState,
  type PartitionState,
  partitionId,
  Waiters,
  type Work,
  type WorkEntry,
} from "./work.ts";

export interface ProcessorStats {
  /** Admitted, not finished (the bound is limits.maxInFlight). */
  inFlight: number;
  /** Not started yet (held ones included). */
  queued: number;
  held: number;
  active: number;
  pending: number;
  /** Batches retrying in place after a retriable error. */
  stalled: number;
  pausedPartitions: number;
}

/**
 * Consumes topics of one group with per-key ordering and concurrency across keys (ADR 0011):
 * records are admitted into a bounded in-flight set, handed to the handler in batches of ready
 * records (one per key), their dispositions carried out (retry topic, DLQ, pending work), and each
 * partition's offset committed up to its lowest unfinished record.
 */
export class RecordProcessor<T> {
  private readonly limits: ProcessingLimits;
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly metrics: ProcessingMetrics;
  private readonly now: () => number;
  private readonly scheduler = new KeyScheduler<Work>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly publisher: OutcomePublisher;
  private readonly router: OutcomeRouter;
  private readonly runner: BatchRunner<T>;
  private inFlight = 0;
  private startedUnfinished = 0;
  private batchesRunning = 0;
  private stalls = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerDue = false;
  private dueTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly committer: OffsetCommitter;
  private dispatchQueued = false;
  private readonly room = new Waiters();
  private readonly drain = new Waiters();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private abandoned = false;
  private fatalError: Error | undefined;

  constructor(private readonly options: RecordProcessorOptions<T>) {
    this.limits = resolveLimits(options.limits);
    this.consumer = options.consumer;
    this.logger = options.logger.child({ processor: options.name, groupId: options.consumer.groupId });
    this.metrics = options.metrics ?? noProcessingMetrics;
    this.now = options.now ?? Date.now;
    this.committer = new OffsetCommitter(options.consumer, this.metrics, this.logger);
    this.publisher = new OutcomePublisher(options.producer, this.limits.retryInPlace, this.logger);
    this.router = new OutcomeRouter({
      publisher: this.publisher,
      retryTopic: options.retryTopic,
      deadLetterTopic: options.deadLetterTopic,
      groupId: options.consumer.groupId,
      metrics: this.metrics,
      now: this.now,
      logOf: (work) => this.recordLogger(work),
      published: (work, outcome) => this.finish(work, outcome),
      failed: (error) => {
        if (!this.abandoned) this.fail(error);
      },
    });
    this.runner = new BatchRunner<T>({
      decode: (entry) => options.decode(entry.item.record),
      handle: options.handle,
      settle: (entry, disposition) => this.settle(entry, disposition),
      release: (entry) => {
        this.scheduler.release(entry);
        this.kick();
      },
      logOf: (entry) => this.recordLogger(entry.item),
      stallChanged: (delta) => {
        this.stalls += delta;
        if (this.stalls === 0) this.kick();
      },
      stalledOn: (topic) => this.metrics.stalled(topic),
      abandoning: () => this.abandoned,
      backoff: this.limits.retryInPlace,
      logger: this.logger,
    });
    this.consumer.onAssignment((change) => this.onAssignment(change));
    this.consumer.onCrash((error, willRestart) => {
      this.logger.error({ err: error, willRestart }, "[processing] consumer crashed");
      if (!willRestart) this.fail(error);
    });
  }

  /** Joins the group and starts consuming. Idempotent. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.metrics.subscribed(this.options.topics);
      await this.consumer.connect();
      await this.consumer.subscribe(this.options.topics, {
        fromBeginning: this.options.fromBeginning ?? false,
      });
      await this.consumer.run({
        partitionsConsumedConcurrently: 16,
        eachBatch: (batch, context) => this.admit(batch, context),
      });
      this.commitTimer = setInterval(() => void this.commitFinished(), this.limits.commitIntervalMs);
      this.logger.info({ topics: this.options.topics }, "[processing] started");
    })();
    return this.starting;
  }

  /**
   * Graceful stop, in this order: stop intake (no fetch, no new handler call) → wait for records in
   * the handler or pending, at most drainTimeoutMs or until `signal` aborts (the service's shutdown
   * phase ran out of time) → commit what finished → leave the group. Records not started, and those
   * still unfinished then, are not committed: whoever owns the partition next gets them again.
   * Idempotent (a second call returns the first one's promise). Fits @invoice/runtime's components.
   */
  stop(signal?: AbortSignal): Promise<void> {
    this.stopping ??= (async () => {
      this.wakeCapacity();
      clearTimeout(this.lingerTimer);
      if (!this.starting) return;
      await this.starting.catch(() => undefined);
      await this.consumer.stopFetching();
      const drained = await this.drained(this.limits.drainTimeoutMs, signal);
      if (!drained) {
        this.abandoned = true;
        this.publisher.abandon();
        this.logger.warn(
          {
            unfinished: this.startedUnfinished,
            drainTimeoutMs: this.limits.drainTimeoutMs,
            aborted: signal?.aborted,
          },
          "[processing] stop deadline passed; unfinished records are left for the next owner",
        );
      }
      clearInterval(this.commitTimer);
      await this.committer.idle();
      await this.commitFinished();
      clearTimeout(this.dueTimer?.timer);
      await this.consumer.disconnect();
      this.logger.info({ drained }, "[processing] stopped");
    })();
    return this.stopping;
  }

  /** Readiness: consuming, not stopping, not failed. */
  isRunning(): boolean {
    return this.starting !== undefined && !this.stopping && !this.fatalError && this.consumer.isRunning();
  }

  stats(): ProcessorStats {
    const counts = this.scheduler.counts();
    let pending = 0;
    let paused = 0;
    for (const part of this.partitions.values()) if (part.paused) paused += 1;
    pending = this.startedUnfinished - counts.active;
    return {
      inFlight: this.inFlight,
      ...counts,
      pending: Math.max(0, pending),
      stalled: this.stalls,
      pausedPartitions: paused,
    };
  }

  // ------------------------------------------------------------------ intake

  private async admit(batch: RecordBatch, context: BatchContext): Promise<BatchOutcome> {
    const id = partitionId(batch.topic, batch.partition);
    const part = this.partitions.get(id) ?? this.newPartition(batch);
    part.awaitingFetch = false;
    if (part.loading) {
      await part.loading;
      part.loading = undefined;
    }
    for (const record of batch.records) {
      if (this.stopping || this.fatalError || !part.current) return { nextOffset: record.offset };
      const offset = BigInt(record.offset);
      const last = part.offsets.lastAdmitted();
      // Kept over a rejoin: kafkajs re-fetches from the committed offset what is already admitted.
      if (last !== undefined && offset <= last) continue;
      // Finished by the previous owner (or run) above its committed offset: not again.
      if (part.skip?.has(offset)) {
        part.offsets.finish(part.offsets.admit(offset));
        continue;
      }
      const dueAt = dueAtOf(record.headers);
      if (dueAt > this.now() && this.scheduler.counts().held >= this.limits.maxHeld)
        return this.pause(part, "held", record);
      if (part.offsets.window() >= this.limits.maxUncommittedPerPartition)
        return this.pause(part, "window", record);
      while (this.inFlight >= this.limits.maxInFlight) {
        // Full: wait here rather than pause, so intake resumes the moment room frees up. The wait
        // heartbeats, and gives up on a rebalance (the heartbeat rejects) or a stop.
        this.kick();
        const woke = await this.waitForRoom(this.limits.heartbeatWhileWaitingMs);
        if (this.stopping || this.fatalError || !part.current || !context.isRunning()) {
          return { nextOffset: record.offset };
        }
        if (!woke) {
          try {
            await context.heartbeat();
          } catch {
            return { nextOffset: record.offset };
          }
        }
      }
      const work: Work = {
        record,
        part,
        slot: part.offsets.admit(offset),
        key: record.key ? record.key.toString("utf8") : null,
        startedAt: undefined,
        pending: false,
        finished: false,
      };
      const lane =
        this.options.keyOf?.(record) ?? (record.key ? `k:${record.key.toString("latin1")}` : `p:${id}`);
      // The clock is read after any wait for room: a record due meanwhile is not held.
      this.scheduler.add(work, { partitionId: id, lane, dueAt }, this.now());
      this.inFlight += 1;
    }
    this.kick();
    return undefined;
  }

  private newPartition(tp: TopicPartition): PartitionState {
    const part = newPartitionState(tp.topic, tp.partition);
    this.partitions.set(part.id, part);
    this.loadFinished([part]);
    return part;
  }

  /** Reads the committed offsets' metadata of newly owned partitions (finished runs to skip). */
  private loadFinished(parts: PartitionState[]): void {
    if (parts.length === 0) return;
    const read = this.consumer.committed(parts.map((p) => ({ topic: p.topic, partition: p.partition })));
    for (const part of parts) {
      part.loading = read.then(
        (committed) => {
          const mine = committed.find((c) => c.topic === part.topic && c.partition === part.partition);
          if (mine && mine.offset !== "-1")
            part.skip = FinishedRanges.parse(BigInt(mine.offset), mine.metadata);
        },
        (error: unknown) => {
          // Without it every record above the committed offset is processed again: safe, slower.
          this.logger.warn(
            { err: error, topic: part.topic, partition: part.partition },
            "[processing] committed metadata not read",
          );
        },
      );
    }
  }

  private pause(part: PartitionState, why: "held" | "window", record: IncomingRecord): BatchOutcome {
    part.paused = why;
    this.consumer.pause([{ topic: part.topic, partition: part.partition }]);
    this.logger.info({ topic: part.topic, partition: part.partition, why }, "[processing] partition paused");
    this.kick();
    return { nextOffset: record.offset };
  }

  private resumeWhereRoom(): void {
    const { held } = this.scheduler.counts();
    for (const part of this.partitions.values()) {
      const room =
        part.paused === "held"
          ? held < this.limits.maxHeld
          : part.paused === "window" && part.offsets.window() <= this.limits.maxUncommittedPerPartition / 2;
      if (!part.paused || !room || this.stopping) continue;
      part.paused = undefined;
      this.consumer.resume([{ topic: part.topic, partition: part.partition }]);
    }
  }

  private waitForRoom(timeoutMs: number): Promise<boolean> {
    return this.room.wait(timeoutMs);
  }

  private wakeCapacity(): void {
    this.room.wakeAll();
  }

  private onAssignment(change: AssignmentChange): void {
    for (const tp of change.revoked) {
      const part = this.partitions.get(partitionId(tp.topic, tp.partition));
      if (!part) continue;
      part.current = false;
      this.partitions.delete(part.id);
      const dropped = this.scheduler.dropPartition(part.id);
      for (const entry of dropped) entry.item.finished = true;
      this.inFlight -= dropped.length;
      if (part.paused) this.consumer.resume([tp]);
      this.logger.info(
        { topic: tp.topic, partition: tp.partition, dropped: dropped.length },
        "[processing] partition revoked; its unstarted records are left to the new owner",
      );
    }
    const added: PartitionState[] = [];
    for (const tp of change.added) {
      if (this.partitions.has(partitionId(tp.topic, tp.partition))) continue;
      const part = newPartitionState(tp.topic, tp.partition);
      this.partitions.set(part.id, part);
      added.push(part);
    }
    this.loadFinished(added);
    for (const tp of change.kept) {
      const part = this.partitions.get(partitionId(tp.topic, tp.partition));
      if (part) part.awaitingFetch = true;
    }
    this.wakeCapacity();
    this.kick();
  }

  // ------------------------------------------------------------------ dispatch

  private kick(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    const now = this.now();
    this.scheduler.advance(now);
    this.armDueTimer();
    this.resumeWhereRoom();
    if (this.stopping || this.fatalError || this.stalls > 0) return;
    while (this.batchesRunning < this.limits.maxConcurrentBatches && this.scheduler.readyCount() > 0) {
      if (
        this.scheduler.readyCount() < this.limits.maxBatchSize &&
        this.limits.lingerMs > 0 &&
        !this.lingerDue
      ) {
        this.lingerTimer ??= setTimeout(() => {
          this.lingerTimer = undefined;
          this.lingerDue = true;
          this.dispatch();
        }, this.limits.lingerMs);
        return;
      }
      this.lingerDue = false;
      const entries = this.scheduler.take(this.limits.maxBatchSize);
      if (entries.length === 0) break;
      for (const entry of entries) {
        entry.item.startedAt = now;
        this.startedUnfinished += 1;
      }
      this.batchesRunning += 1;
      void this.runner
        .run(entries)
        .catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))))
        .finally(() => {
          this.batchesRunning -= 1;
          this.kick();
        });
    }
  }

  private armDueTimer(): void {
    const next = this.scheduler.nextDueAt();
    if (next === undefined || (this.dueTimer && this.dueTimer.at <= next)) return;
    clearTimeout(this.dueTimer?.timer);
    const timer = setTimeout(
      () => {
        this.dueTimer = undefined;
        this.dispatch();
      },
      Math.max(0, next - this.now()),
    );
    this.dueTimer = { at: next, timer };
  }

  // ------------------------------------------------------------------ outcomes

  private settle(entry: WorkEntry, disposition: FinalDisposition): void {
    if (disposition.outcome === "done") this.finish(entry.item, "done");
    else this.router.route(entry.item, disposition);
  }

  private finish(work: Work, outcome: RecordOutcome): void {
    if (work.finished) return;
    work.finished = true;
    this.inFlight -= 1;
    if (work.startedAt !== undefined) this.startedUnfinished -= 1;
    if (work.part.current) work.part.offsets.finish(work.slot);
    this.metrics.recordFinished(
      work.record.topic,
      outcome,
      work.startedAt === undefined ? undefined : (this.now() - work.startedAt) / 1000,
    );
    this.wakeCapacity();
    if (this.startedUnfinished === 0) this.drain.wakeAll();
    this.kick();
  }

  private drained(timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.startedUnfinished === 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    const wait = this.drain.wait(timeoutMs);
    if (!signal) return wait;
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal.addEventListener("abort", onAbort, { once: true });
      void wait.then((done) => {
        signal.removeEventListener("abort", onAbort);
        resolve(done);
      });
    });
  }

  private recordLogger(work: Work): Logger {
    const { topic, partition, offset } = work.record;
    return this.logger.child({ topic, partition, offset, key: work.key?.slice(0, 200) ?? null });
  }

  private fail(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    clearInterval(this.commitTimer);
    this.wakeCapacity();
    this.logger.error({ err: error }, "[processing] member stopped for good");
    try {
      this.options.onFatal(error);
    } catch (listenerError) {
      this.logger.error({ err: listenerError }, "[processing] onFatal threw");
    }
  }

  // ------------------------------------------------------------------ commits

  private commitFinished(): Promise<void> {
    this.reportGauges();
    return this.committer.commit(this.partitions.values());
  }

  private reportGauges(): void {
    const stats = this.stats();
    this.metrics.inFlight({
      queued: stats.queued - stats.held,
      held: stats.held,
      active: stats.active,
      pending: stats.pending,
    });
    this.metrics.pausedPartitions(stats.pausedPartitions);
  }
}
