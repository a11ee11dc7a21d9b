/**
 * Flow control of the consumer port against the real broker: pause/resume, taking part of a batch
 * (`nextOffset`), stopFetching with the membership kept, and the assignment changes a rebalance
 * reports.
 */
import type { AssignmentChange, IncomingRecord } from "@invoice/kafka";
import { testClient, useBroker } from "@invoice/kafka/testing";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";

const broker = useBroker();
const FAST = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 };

describe("consumer flow control", () => {
  it("fetches nothing of a paused partition until it is resumed, while others flow", async () => {
    const topic = await broker.newTopic("pause", 2);
    const consumer = testClient().consumer({ groupId: broker.newGroup("pause"), ...FAST });
    const seen: IncomingRecord[] = [];
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    consumer.pause([{ topic, partition: 1 }]);
    await consumer.run({
      eachBatch: async (batch) => {
        seen.push(...batch.records);
      },
    });
    try {
      await broker.producer.send(topic, [
        { key: "p1-first", value: "1", partition: 1 },
        { key: "p0-first", value: "0", partition: 0 },
      ]);
      await waitFor(() => seen.some((r) => r.partition === 0), { description: "partition 0 flows" });
      // A later record of partition 0 arriving proves fetches went on after the first one.
      await broker.producer.send(topic, [{ key: "p0-second", value: "0", partition: 0 }]);
      await waitFor(() => seen.filter((r) => r.partition === 0).length === 2, {
        description: "second record of partition 0",
      });
      expect(seen.filter((r) => r.partition === 1)).toEqual([]);
      consumer.resume([{ topic, partition: 1 }]);
      await waitFor(() => seen.some((r) => r.partition === 1), { description: "partition 1 after resume" });
    } finally {
      await consumer.disconnect();
    }
  });

  it("takes part of a batch with nextOffset and gets the rest again after resume", async () => {
    const topic = await broker.newTopic("partial", 1);
    await broker.producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    const consumer = testClient().consumer({ groupId: broker.newGroup("partial"), ...FAST });
    const taken: string[] = [];
    let first = true;
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({
      eachBatch: async (batch) => {
        if (first) {
          first = false;
          const head = batch.records.slice(0, 3);
          taken.push(...head.map((r) => r.offset));
          consumer.pause([{ topic, partition: 0 }]);
          return { nextOffset: batch.records[3]?.offset ?? "3" };
        }
        taken.push(...batch.records.map((r) => r.offset));
        return undefined;
      },
    });
    try {
      await waitFor(() => taken.length === 3, { description: "the first three records" });
      consumer.resume([{ topic, partition: 0 }]);
      await waitFor(() => taken.length >= 10, { description: "the rest of the records" });
    } finally {
      await consumer.disconnect();
    }
    expect(taken).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });

  it("stopFetching waits for the batch in progress, keeps the member alive and commit() working", async () => {
    const topic = await broker.newTopic("stopfetch", 1);
    await broker.producer.send(topic, [{ key: "k", value: "v" }]);
    const groupId = broker.newGroup("stopfetch");
    const consumer = testClient().consumer({ groupId, ...FAST });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let inBatch = false;
    let batchDone = false;
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({
      eachBatch: async () => {
        inBatch = true;
        await gate;
        batchDone = true;
      },
    });
    try {
      await waitFor(() => inBatch, { description: "batch in progress" });
      const stopped = consumer.stopFetching();
      let resolved = false;
      void stopped.then(() => {
        resolved = true;
      });
      await new Promise((r) => setImmediate(r));
      expect(resolved).toBe(false);
      release();
      await stopped;
      expect(batchDone).toBe(true);
      // Still a member: commits are accepted after fetching stopped.
      await broker.producer.send(topic, [{ key: "k2", value: "after stop" }]);
      const result = await consumer.commit([{ topic, partition: 0, offset: "1" }]);
      expect(result.committed).toEqual([{ topic, partition: 0, offset: "1" }]);
      expect(consumer.assignment()).toEqual([{ topic, partition: 0 }]);
    } finally {
      await consumer.disconnect();
    }
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "1" }]);
  });

  it("reports added, kept and revoked partitions when a second member joins", async () => {
    const topic = await broker.newTopic("changes", 2);
    const groupId = broker.newGroup("changes");
    const changes: AssignmentChange[] = [];
    const a = testClient().consumer({ groupId, ...FAST });
    a.onAssignment((change) => changes.push(change));
    await a.connect();
    await a.subscribe([topic], { fromBeginning: true });
    await a.run({ eachBatch: async () => undefined });
    const b = testClient().consumer({ groupId, ...FAST });
    try {
      await waitFor(() => a.assignment().length === 2, { description: "a owns both" });
      await b.connect();
      await b.subscribe([topic], { fromBeginning: true });
      await b.run({ eachBatch: async () => undefined });
      await waitFor(() => a.assignment().length === 1 && b.assignment().length === 1, {
        description: "split",
      });
    } finally {
      await b.disconnect();
      await a.disconnect();
    }
    expect(changes[0]?.added).toHaveLength(2);
    const split = changes.find((c) => c.revoked.length === 1);
    expect(split?.kept).toHaveLength(1);
    expect(split?.added).toEqual([]);
    // Disconnecting reports the rest as revoked.
    expect(changes.at(-1)?.assigned).toEqual([]);
  });
});
