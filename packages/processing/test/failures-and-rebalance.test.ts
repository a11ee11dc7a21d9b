/**
 * Failure handling of the processing layer against the real broker: a poison record among good
 * ones (issue 7, finding 12), a retriable stall that resumes, a member that stops for good, two
 * members rebalancing, a large backlog under a small in-flight cap, and the graceful stop.
 */
import { PlatformError } from "@invoice/errors";
import type { IncomingRecord } from "@invoice/kafka";
import { testClient, untilCommittedToEnd, useBroker } from "@invoice/kafka/testing";
import { DLQ_HEADERS, done, pending } from "@invoice/processing";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { processRestToEnd, readTopic, sleep, startProcessor, textOf } from "./harness.ts";

const broker = useBroker();

describe("poison records (finding 12)", () => {
  it("dead-letters a record whose handling throws a bug, and goes on with the records around it", async () => {
    const topic = await broker.newTopic("poison", 1);
    const dlq = await broker.newTopic("poison-dlq", 1);
    const groupId = broker.newGroup("poison");
    await broker.producer.send(topic, [
      ...Array.from({ length: 5 }, (_, i) => ({ key: `good-${i}`, value: `{"n":${i}}` })),
      { key: "tombstone", value: null },
      { key: "garbage", value: "{not json" },
      ...Array.from({ length: 5 }, (_, i) => ({ key: `good-${i + 5}`, value: `{"n":${i + 5}}` })),
    ]);
    const applied: number[] = [];
    let calls = 0;
    const { processor, fatal } = await startProcessor<{ n: number } | null>(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { lingerMs: 50 },
      decode: (record) =>
        record.value === null ? null : (JSON.parse(record.value.toString()) as { n: number }),
      handle: async (batch) => {
        calls += 1;
        // A bug hit by one record: the tombstone's null value. The "transaction" applies all or none.
        const values = batch.map((d) => (d.value as { n: number }).n);
        applied.push(...values);
        return batch.map(() => done());
      },
    });
    const dead: IncomingRecord[] = [];
    const reader = await readTopic(broker, dlq, dead);
    try {
      await untilCommittedToEnd(broker.admin, groupId, [topic]);
      await waitFor(() => dead.length >= 2, { description: "two DLQ records" });
      expect(processor.isRunning()).toBe(true);
      expect(processor.stats()).toMatchObject({ inFlight: 0, active: 0 });
    } finally {
      await reader.disconnect();
      await processor.stop();
    }
    expect(fatal).toEqual([]);
    expect(dead).toHaveLength(2);
    expect(applied.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls).toBeGreaterThan(1);
    const byKey = new Map(dead.map((r) => [r.key?.toString(), r]));
    expect(byKey.get("tombstone")?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "non-retryable",
      [DLQ_HEADERS.errorClass]: "TypeError",
    });
    expect(byKey.get("tombstone")?.value).toBeNull();
    expect(byKey.get("garbage")?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "deserialization",
      [DLQ_HEADERS.errorClass]: "SyntaxError",
    });
    expect(byKey.get("garbage")?.value?.toString()).toBe("{not json");
  });
});

class OutageError extends PlatformError {
  constructor() {
    super("DB_CONNECTION", "database unreachable", { retriable: true });
  }
}

describe("retriable failures", () => {
  it("stalls during an outage without committing, keeps the member, and resumes by itself", async () => {
    const topic = await broker.newTopic("outage", 1);
    const dlq = await broker.newTopic("outage-dlq", 1);
    const groupId = broker.newGroup("outage");
    await broker.producer.send(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    let down = true;
    let failedCalls = 0;
    const applied: string[] = [];
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { retryInPlace: { initialMs: 100, maxMs: 400 } },
      handle: async (batch) => {
        if (down) {
          failedCalls += 1;
          throw new OutageError();
        }
        applied.push(...batch.map(textOf));
        return batch.map(() => done());
      },
    });
    try {
      await waitFor(() => failedCalls >= 4, { description: "several retries in place" });
      expect(processor.stats().stalled).toBeGreaterThan(0);
      expect(applied).toEqual([]);
      // Nothing committed past what was applied: at most the first offset (nothing done yet).
      const [committed] = await broker.admin.groupOffsets(groupId, topic);
      expect(Number(committed?.offset)).toBeLessThanOrEqual(0);
      expect(processor.isRunning()).toBe(true);
      down = false;
      await untilCommittedToEnd(broker.admin, groupId, [topic]);
    } finally {
      await processor.stop();
    }
    // Every record applied exactly once, none dead-lettered.
    expect(applied.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
    expect((await broker.admin.topicOffsets(dlq))[0]?.high).toBe("0");
  });
});

describe("a member that stops for good", () => {
  it("calls onFatal, so main.ts can exit and the orchestrator restart the process", async () => {
    const topic = await broker.newTopic("fatal", 1);
    const dlq = await broker.newTopic("fatal-dlq", 1);
    const groupId = broker.newGroup("fatal");
    // The broker refuses a session timeout below group.min.session.timeout.ms (6 s): a join error
    // kafkajs does not retry, so the consumer crashes without restart.
    const consumer = testClient().consumer({ groupId, sessionTimeoutMs: 3_000, heartbeatIntervalMs: 500 });
    const { processor, fatal } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      consumer,
      handle: async (batch) => batch.map(() => done()),
    });
    try {
      await waitFor(() => fatal.length === 1, { description: "onFatal" });
      expect(processor.isRunning()).toBe(false);
      expect(fatal[0]?.message).toMatch(/session timeout/i);
    } finally {
      await processor.stop();
    }
  });
});

describe("rebalance", () => {
  it("splits the work between two members without losing a record; duplicates are counted and bounded", async () => {
    const topic = await broker.newTopic("rebalance", 3);
    const dlq = await broker.newTopic("rebalance-dlq", 3);
    const groupId = broker.newGroup("rebalance");
    const total = 600;
    const seen = new Map<string, number>();
    const byMember = { a: 0, b: 0 };
    const handler = (member: "a" | "b") => async (batch: readonly { record: IncomingRecord }[]) => {
      await sleep(20); // simulated work, not a wait: keeps records in flight while partitions move
      for (const d of batch) {
        const id = `${d.record.partition}/${d.record.offset}`;
        seen.set(id, (seen.get(id) ?? 0) + 1);
        byMember[member] += 1;
      }
      return batch.map(() => done());
    };
    await broker.producer.send(
      topic,
      Array.from({ length: total / 2 }, (_, i) => ({ key: `ORD-${i % 97}`, value: `first-${i}` })),
    );
    const limits = { maxInFlight: 100 };
    const a = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits,
      handle: handler("a"),
    });
    let b: Awaited<ReturnType<typeof startProcessor>> | undefined;
    try {
      await waitFor(() => seen.size >= 50, { description: "first member under way" });
      b = await startProcessor(broker, {
        groupId,
        topics: [topic],
        deadLetterTopic: dlq,
        limits,
        handle: handler("b"),
      });
      await broker.producer.send(
        topic,
        Array.from({ length: total / 2 }, (_, i) => ({ key: `ORD-${i % 97}`, value: `second-${i}` })),
      );
      await untilCommittedToEnd(broker.admin, groupId, [topic], 90_000);
    } finally {
      await b?.processor.stop();
      await a.processor.stop();
    }
    expect(seen.size).toBe(total);
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    // Re-deliveries only of what was in flight and uncommitted when partitions moved: at most the
    // in-flight cap per member per rebalance.
    expect(duplicates).toBeLessThanOrEqual(2 * limits.maxInFlight);
    expect(byMember.b).toBeGreaterThan(0);
    // A rebalance on a loaded machine can wait out the members' rebalance timeout (10 s) more than
    // once; the test's own wait for the group is 90 s, so its timeout covers that wait.
  }, 120_000);
});

describe("bounded memory", () => {
  it("never holds more than the in-flight cap, however large the backlog", async () => {
    const topic = await broker.newTopic("backlog", 3);
    const dlq = await broker.newTopic("backlog-dlq", 3);
    const groupId = broker.newGroup("backlog");
    const total = 5_000;
    const payload = "x".repeat(200);
    for (let i = 0; i < total; i += 1_000) {
      await broker.producer.send(
        topic,
        Array.from({ length: 1_000 }, (_, j) => ({ key: `ORD-${i + j}`, value: payload })),
      );
    }
    const cap = 64;
    let handled = 0;
    let maxInFlight = 0;
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { maxInFlight: cap, maxBatchSize: 16 },
      handle: async (batch) => {
        maxInFlight = Math.max(maxInFlight, processor.stats().inFlight);
        await sleep(2); // simulated work, not a wait: lets admitted records pile up to the cap
        handled += batch.length;
        return batch.map(() => done());
      },
    });
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, processor.stats().inFlight);
    }, 5);
    try {
      await untilCommittedToEnd(broker.admin, groupId, [topic], 120_000);
    } finally {
      clearInterval(sampler);
      await processor.stop();
    }
    expect(handled).toBe(total);
    expect(maxInFlight).toBeLessThanOrEqual(cap);
    expect(maxInFlight).toBeGreaterThan(cap / 2);
    // Its own wait for the 5,000 records is 120 s (a loaded machine); the timeout covers that wait.
  }, 150_000);
});

describe("graceful stop", () => {
  it("lets records in the handler finish, commits them, and leaves the rest for the next run", async () => {
    const topic = await broker.newTopic("graceful", 1);
    const dlq = await broker.newTopic("graceful-dlq", 1);
    const groupId = broker.newGroup("graceful");
    await broker.producer.send(
      topic,
      Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    const finished: string[] = [];
    let inHandler = 0;
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { maxBatchSize: 10, maxConcurrentBatches: 1 },
      handle: async (batch) => {
        inHandler += 1;
        await sleep(150); // simulated work, not a wait: a batch is in the handler when stop() comes
        finished.push(...batch.map((d) => d.record.offset));
        inHandler -= 1;
        return batch.map(() => done());
      },
    });
    await waitFor(() => finished.length >= 20 && inHandler === 1, {
      description: "mid-way, a batch in the handler",
    });
    await processor.stop();
    const committed = (await broker.admin.groupOffsets(groupId, topic))[0]?.offset;
    // Everything handed over finished (one batch at a time, in offset order here), and exactly that is committed.
    expect(Number(committed)).toBe(finished.length);
    expect(finished.length).toBeLessThan(200);
    const rest = await processRestToEnd(broker, groupId, [topic], dlq);
    expect(rest.length + finished.length).toBe(200);
    expect(Math.min(...rest.map(Number))).toBe(finished.length);
  });

  it("stops waiting when the shutdown phase's signal aborts, and commits what finished", async () => {
    const topic = await broker.newTopic("aborted", 1);
    const dlq = await broker.newTopic("aborted-dlq", 1);
    const groupId = broker.newGroup("aborted");
    await broker.producer.send(topic, [
      { key: "a", value: "finishes" },
      { key: "b", value: "never finishes" },
      { key: "c", value: "finishes" },
    ]);
    let handed = 0;
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { drainTimeoutMs: 60_000 },
      handle: async (batch) => {
        handed += batch.length;
        return batch.map((d) => (d.key === "b" ? pending(new Promise<never>(() => undefined)) : done()));
      },
    });
    await waitFor(() => handed === 3, { description: "all three handed over" });
    const controller = new AbortController();
    const started = Date.now();
    const stopping = processor.stop(controller.signal);
    controller.abort();
    await stopping;
    // Time is the subject (the abort cuts the 60 s drain short): 20 s leaves leaving the group on a
    // loaded machine a wide margin and is still far from the drain timeout.
    expect(Date.now() - started).toBeLessThan(20_000);
    // Offset 1 is unfinished: committed up to it, and offset 2 listed as finished in the metadata.
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "1" }]);
    expect(await processRestToEnd(broker, groupId, [topic], dlq)).toEqual(["1"]);
  });
});
