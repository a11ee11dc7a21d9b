/**
 * What commit() promises (issue 7, findings 10 and 11), proven against the real broker: a commit
 * made while the consumer drains reaches the broker (or the caller hears it did not), and commits for
 * partitions this member does not own, or behind what it already committed, are never forwarded.
 */
import type { CommitResult, Consumer, ConsumerRunOptions } from "@invoice/kafka";
import { testClient, useBroker } from "@invoice/kafka/testing";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";

const broker = useBroker();

const FAST = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 };

async function member(groupId: string, topics: string[], eachBatch: ConsumerRunOptions["eachBatch"]) {
  const consumer = testClient().consumer({ groupId, ...FAST });
  await consumer.connect();
  await consumer.subscribe(topics, { fromBeginning: true });
  await consumer.run({ eachBatch });
  return consumer;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("commit while stopping (finding 10)", () => {
  it("a commit made by the batch that disconnect() waits for reaches the broker", async () => {
    const topic = await broker.newTopic("drain", 1);
    await broker.producer.send(topic, [{ key: "k", value: "v" }]);
    const groupId = broker.newGroup("drain");
    const inBatch = deferred();
    const gate = deferred();
    let outcome: CommitResult | Error | undefined;
    const consumer = await member(groupId, [topic], async (batch) => {
      inBatch.resolve();
      await gate.promise;
      const last = batch.records.at(-1);
      outcome = await consumer
        .commit([{ topic, partition: 0, offset: (BigInt(last?.offset ?? "0") + 1n).toString() }])
        .catch((error: Error) => error);
    });
    await inBatch.promise;
    // The batch is in progress: stopping now is the graceful-shutdown case (drain, then commit).
    const stopping = consumer.disconnect();
    gate.resolve();
    await stopping;
    expect(outcome).not.toBeInstanceOf(Error);
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "1" }]);
    expect((outcome as CommitResult).committed).toEqual([{ topic, partition: 0, offset: "1" }]);
  });

  it("rejects a commit once the consumer has stopped, instead of resolving without sending it", async () => {
    const topic = await broker.newTopic("stopped", 1);
    await broker.producer.send(topic, [{ key: "k", value: "v" }]);
    const groupId = broker.newGroup("stopped");
    let seen = 0;
    const consumer = await member(groupId, [topic], async (batch) => {
      seen += batch.records.length;
    });
    await waitFor(() => seen === 1, { description: "the record" });
    await consumer.disconnect();
    await expect(consumer.commit([{ topic, partition: 0, offset: "1" }])).rejects.toMatchObject({
      name: "KafkaClientError",
      code: "KAFKA_NOT_ASSIGNED",
    });
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "-1" }]);
  });
});

describe("commit guards (finding 11)", () => {
  it("does not forward a commit for a partition this member is not assigned, and says so", async () => {
    const topic = await broker.newTopic("owned", 1);
    const other = await broker.newTopic("other", 1);
    await broker.producer.send(topic, [{ key: "k", value: "v" }]);
    await broker.producer.send(other, [{ key: "k", value: "v" }]);
    const groupId = broker.newGroup("owned");
    let result: CommitResult | undefined;
    let committed = false;
    const consumer = await member(groupId, [topic], async () => {
      result = await consumer.commit([
        { topic: other, partition: 0, offset: "1" },
        { topic, partition: 0, offset: "1" },
      ]);
      committed = true;
    });
    try {
      await waitFor(() => committed, { description: "the commit inside the batch" });
    } finally {
      await consumer.disconnect();
    }
    expect(await broker.admin.groupOffsets(groupId, other)).toEqual([{ partition: 0, offset: "-1" }]);
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "1" }]);
    expect(result?.committed).toEqual([{ topic, partition: 0, offset: "1" }]);
    expect(result?.skipped).toEqual([{ topic: other, partition: 0, offset: "1", reason: "not-assigned" }]);
  });

  it("never commits an offset behind the one it already committed", async () => {
    const topic = await broker.newTopic("backwards", 1);
    await broker.producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    const groupId = broker.newGroup("backwards");
    const results: CommitResult[] = [];
    let done = false;
    const consumer = await member(groupId, [topic], async () => {
      if (done) return;
      done = true;
      results.push(await consumer.commit([{ topic, partition: 0, offset: "8" }]));
      // Work finishing late (a slow record, a rebalance) must not move the offset back.
      results.push(await consumer.commit([{ topic, partition: 0, offset: "3" }]));
    });
    try {
      await waitFor(() => results.length === 2, { description: "both commits" });
    } finally {
      await consumer.disconnect();
    }
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "8" }]);
    expect(results.map((r) => [r.committed.length, r.skipped.map((s) => s.reason)])).toEqual([
      [1, []],
      [0, ["not-ahead"]],
    ]);
  });

  it("stores metadata with the offset, reads it back, and sends an equal offset only with new metadata", async () => {
    const topic = await broker.newTopic("metadata", 1);
    await broker.producer.send(topic, [{ key: "k", value: "v" }]);
    const groupId = broker.newGroup("metadata");
    const results: CommitResult[] = [];
    let step = 0;
    const consumer = await member(groupId, [topic], async () => {
      if (step++ > 0) return;
      results.push(await consumer.commit([{ topic, partition: 0, offset: "1", metadata: "f1:2.1" }]));
      results.push(await consumer.commit([{ topic, partition: 0, offset: "1", metadata: "f1:2.1" }]));
      results.push(await consumer.commit([{ topic, partition: 0, offset: "1", metadata: "f1:2.4" }]));
    });
    try {
      await waitFor(() => results.length === 3, { description: "three commits" });
      expect(results.map((r) => r.committed.length)).toEqual([1, 0, 1]);
      expect(await consumer.committed([{ topic, partition: 0 }])).toEqual([
        { topic, partition: 0, offset: "1", metadata: "f1:2.4" },
      ]);
    } finally {
      await consumer.disconnect();
    }
  });

  it("drops a late commit for a partition that moved to another member in a rebalance", async () => {
    const topic = await broker.newTopic("moved", 2);
    // One record per partition, so each member has something to see.
    await broker.producer.send(topic, [
      { key: "a", value: "a", partition: 0 },
      { key: "b", value: "b", partition: 1 },
    ]);
    const groupId = broker.newGroup("moved");
    const a = await member(groupId, [topic], async () => undefined);
    let b: Consumer | undefined;
    try {
      await waitFor(() => a.assignment().length === 2, { description: "first member owns both partitions" });
      b = await member(groupId, [topic], async () => undefined);
      const memberB = b;
      await waitFor(() => a.assignment().length === 1 && memberB.assignment().length === 1, {
        description: "one partition each",
      });
      const [moved] = memberB.assignment();
      if (!moved) throw new Error("no partition moved");
      const result = await a.commit([{ topic, partition: moved.partition, offset: "1" }]);
      expect(result.skipped).toEqual([
        { topic, partition: moved.partition, offset: "1", reason: "not-assigned" },
      ]);
      const offsets = await broker.admin.groupOffsets(groupId, topic);
      expect(offsets.find((o) => o.partition === moved.partition)?.offset).toBe("-1");
    } finally {
      await b?.disconnect();
      await a.disconnect();
    }
  });
});
