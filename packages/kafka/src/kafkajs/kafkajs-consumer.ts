import type { Admin as KafkaJsAdminClient, Consumer as KafkaJsConsumerClient, KafkaMessage } from "kafkajs";
import { classifyKafkaError, KafkaClientError } from "../kafka-client-error.ts";
import type { Logger } from "../logger.ts";
import type {
  AssignmentChange,
  AssignmentListener,
  CommitEntry,
  CommitResult,
  CommittedOffset,
  Consumer,
  ConsumerRunOptions,
  CrashListener,
  Headers,
  IncomingRecord,
  TopicPartition,
} from "../ports.ts";
import { CommitGuard } from "./commit-guard.ts";

const tpId = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Why this adapter stops the way it does (issue 7, finding 10): kafkajs' `stop()` marks its runner
 * stopped *before* it waits for the batch in progress, and its `commitOffsets` silently resolves
 * when the runner is stopped. A batch that commits while the consumer stops is therefore told
 * "committed" while nothing reached the broker. So `disconnect()` first pauses every partition and
 * waits for eachBatch calls itself (kafkajs still running: commits go out), and only then lets
 * kafkajs stop; and `commit()` resolves only when kafkajs reported the commit as acknowledged
 * (its COMMIT_OFFSETS event), rejecting otherwise.
 */
export class KafkaJsConsumer implements Consumer {
  private connected = false;
  private running = false;
  private started = false;
  private fetchingStopped = false;
  private topics: string[] = [];
  private currentAssignment: TopicPartition[] = [];
  private readonly paused = new Map<string, TopicPartition>();
  private readonly listeners: AssignmentListener[] = [];
  private readonly crashListeners: CrashListener[] = [];
  private readonly guard = new CommitGuard();
  private batchesInProgress = 0;
  private batchWaiters: Array<() => void> = [];
  private commitChain: Promise<unknown> = Promise.resolve();
  /** Set by the COMMIT_OFFSETS listener while a commit of ours is in flight. */
  private acknowledged: Array<{ topic: string; partition: number; offset: string }> | undefined;

  private admin: Promise<KafkaJsAdminClient> | undefined;

  constructor(
    private readonly consumer: KafkaJsConsumerClient,
    readonly groupId: string,
    private readonly logger: Logger,
    private readonly adminFactory: () => KafkaJsAdminClient,
  ) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assigned = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      // kafkajs re-fetches every partition from the committed offset after a join: what this member
      // committed before says nothing about the new fetch position.
      this.guard.reset();
      this.applyPauses();
      this.setAssignment(assigned);
    });
    consumer.on(consumer.events.STOP, () => this.setAssignment([]));
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      if (!this.acknowledged) return;
      for (const { topic, partitions } of event.payload.topics) {
        for (const p of partitions)
          this.acknowledged.push({ topic, partition: p.partition, offset: String(p.offset) });
      }
    });
    // kafkajs reports a crash of its fetch loop only through this event (run() has long resolved),
    // and after a crash without restart it stays silent forever: without this a service would look
    // healthy while nothing consumes.
    consumer.on(consumer.events.CRASH, (event) => {
      const willRestart = event.payload.restart;
      if (!willRestart) this.running = false;
      const error = classifyKafkaError(event.payload.error);
      for (const listener of this.crashListeners) {
        try {
          listener(error, willRestart);
        } catch {
          // A failing listener must not keep the others from hearing about the crash.
        }
      }
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.consumer.connect();
      this.connected = true;
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async subscribe(topics: string[], options: { fromBeginning?: boolean } = {}): Promise<void> {
    try {
      await this.consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false });
      this.topics.push(...topics);
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async run(options: ConsumerRunOptions): Promise<void> {
    // Set before kafkajs starts: a failed first join emits CRASH (restart false) before run()
    // resolves, and that verdict must not be overwritten afterwards.
    this.running = true;
    this.started = true;
    try {
      await this.consumer.run({
        autoCommit: false,
        // The fetch position is moved explicitly (resolveOffset) once eachBatch resolves: past the
        // batch, or to the caller's `nextOffset`. Committing is separate (commit()), so a crash
        // re-delivers everything after the last committed offset.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          const first = batch.messages[0];
          const last = batch.messages.at(-1);
          if (this.fetchingStopped || !first || !last) return;
          this.guard.fetched(batch.topic, batch.partition, first.offset);
          this.batchesInProgress += 1;
          try {
            const outcome = await options.eachBatch(
              {
                topic: batch.topic,
                partition: batch.partition,
                records: batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m)),
              },
              { heartbeat, isRunning: () => isRunning() && !this.fetchingStopped, isStale },
            );
            if (!outcome) resolveOffset(last.offset);
            else if (BigInt(outcome.nextOffset) > BigInt(first.offset)) {
              resolveOffset((BigInt(outcome.nextOffset) - 1n).toString());
            }
          } finally {
            this.batchesInProgress -= 1;
            if (this.batchesInProgress === 0) for (const wake of this.batchWaiters.splice(0)) wake();
          }
        },
      });
    } catch (error) {
      this.running = false;
      throw classifyKafkaError(error);
    }
  }

  commit(offsets: CommitEntry[]): Promise<CommitResult> {
    const result = this.commitChain.then(() => this.commitNow(offsets));
    this.commitChain = result.catch(() => undefined);
    return result;
  }

  private async commitNow(offsets: CommitEntry[]): Promise<CommitResult> {
    if (!this.running || this.consumerStopped()) throw notSent("the consumer is not running");
    const { send, skipped } = this.guard.check(offsets, this.currentAssignment);
    if (skipped.length > 0)
      this.logger.warn({ groupId: this.groupId, skipped }, "[kafka] commit entries skipped");
    if (send.length === 0) return { committed: [], skipped };
    this.acknowledged = [];
    let acknowledged: Array<{ topic: string; partition: number; offset: string }>;
    try {
      await this.consumer.commitOffsets(send);
    } catch (error) {
      throw classifyKafkaError(error);
    } finally {
      acknowledged = this.acknowledged;
      this.acknowledged = undefined;
    }
    const missing = send.filter(
      (o) =>
        !acknowledged.some(
          (a) => a.topic === o.topic && a.partition === o.partition && a.offset === o.offset,
        ),
    );
    // kafkajs resolves without sending when its runner stopped meanwhile (a crash, a stop).
    if (missing.length > 0) throw notSent("the consumer stopped while committing");
    this.guard.committed(send);
    return {
      committed: send.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
      skipped,
    };
  }

  async committed(partitions: TopicPartition[]): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    try {
      // One admin connection per consumer, opened on first use: kafkajs' consumer cannot read
      // committed metadata itself.
      this.admin ??= (async () => {
        const admin = this.adminFactory();
        await admin.connect();
        return admin;
      })();
      const admin = await this.admin;
      const topics = [...new Set(partitions.map((tp) => tp.topic))];
      const result = await admin.fetchOffsets({ groupId: this.groupId, topics });
      return partitions.map((tp) => {
        const found = result
          .find((r) => r.topic === tp.topic)
          ?.partitions.find((p) => p.partition === tp.partition);
        return { ...tp, offset: found?.offset ?? "-1", metadata: found?.metadata ?? null };
      });
    } catch (error) {
      this.admin = undefined;
      throw classifyKafkaError(error);
    }
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.set(tpId(tp.topic, tp.partition), tp);
    this.tryKafkaJs(() => this.consumer.pause(byTopic(partitions)));
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tpId(tp.topic, tp.partition));
    if (this.fetchingStopped) return;
    this.tryKafkaJs(() => this.consumer.resume(byTopic(partitions)));
  }

  async stopFetching(): Promise<void> {
    this.fetchingStopped = true;
    this.applyPauses();
    if (this.batchesInProgress === 0) return;
    await new Promise<void>((resolve) => this.batchWaiters.push(resolve));
  }

  assignment(): TopicPartition[] {
    return [...this.currentAssignment];
  }

  onAssignment(listener: AssignmentListener): void {
    this.listeners.push(listener);
  }

  onCrash(listener: CrashListener): void {
    this.crashListeners.push(listener);
  }

  isRunning(): boolean {
    return this.running;
  }

  async disconnect(): Promise<void> {
    if (this.connected && this.started) await this.stopFetching();
    this.running = false;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    if (!this.connected) return;
    this.connected = false;
    await this.consumer.disconnect();
    this.setAssignment([]);
  }

  /** kafkajs' own view: paused() returns [] once its consumer group is gone (stopped, crashed). */
  private consumerStopped(): boolean {
    return !this.connected;
  }

  private applyPauses(): void {
    if (this.fetchingStopped) {
      const topics = [...new Set(this.topics)];
      this.tryKafkaJs(() => this.consumer.pause(topics.map((topic) => ({ topic }))));
      return;
    }
    if (this.paused.size > 0) this.tryKafkaJs(() => this.consumer.pause(byTopic([...this.paused.values()])));
  }

  /** kafkajs throws when its consumer group does not exist (before run, between crash and restart). */
  private tryKafkaJs(call: () => void): void {
    try {
      call();
    } catch {
      // Applied again on the next group join (applyPauses), so nothing is lost.
    }
  }

  private setAssignment(assigned: TopicPartition[]): void {
    const before = new Map(this.currentAssignment.map((tp) => [tpId(tp.topic, tp.partition), tp]));
    const after = new Set(assigned.map((tp) => tpId(tp.topic, tp.partition)));
    const change: AssignmentChange = {
      assigned: [...assigned],
      revoked: [...before].filter(([id]) => !after.has(id)).map(([, tp]) => tp),
      added: assigned.filter((tp) => !before.has(tpId(tp.topic, tp.partition))),
      kept: assigned.filter((tp) => before.has(tpId(tp.topic, tp.partition))),
    };
    this.currentAssignment = [...assigned];
    if (change.assigned.length === 0 && change.revoked.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ err: error, groupId: this.groupId }, "[kafka] assignment listener failed");
      }
    }
  }
}

function notSent(why: string): KafkaClientError {
  return new KafkaClientError(`commit not sent: ${why}`, "KAFKA_NOT_ASSIGNED", false);
}

function byTopic(partitions: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const grouped = new Map<string, number[]>();
  for (const tp of partitions) grouped.set(tp.topic, [...(grouped.get(tp.topic) ?? []), tp.partition]);
  return [...grouped].map(([topic, ps]) => ({ topic, partitions: ps }));
}

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingRecord {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestamp: m.timestamp };
}
