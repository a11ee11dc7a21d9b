/**
 * A crash of the kafkajs fetch loop happens after run() resolved; these tests prove the port
 * reports it (onCrash, isRunning) against the real broker, for both kafkajs verdicts.
 */
import {
  type Consumer,
  type ConsumerRunOptions,
  type IncomingRecord,
  KafkaClientError,
} from "@invoice/kafka";
import { committedToEnd, useBroker } from "@invoice/kafka/testing";
import { uniqueName, waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";

const broker = useBroker();

interface Crash {
  error: KafkaClientError;
  willRestart: boolean;
}

/** A topic holding one record, and a consumer of a new group that records its crashes. */
async function setUp(options: { retries?: number } = {}) {
  const topic = uniqueName("crash");
  await broker.admin.ensureTopics([{ topic, partitions: 1 }]);
  broker.track(topic);
  await broker.producer.send(topic, [{ key: "ORD-1", value: "the record" }]);
  const groupId = uniqueName("g");
  const consumer = broker.client.consumer({
    groupId,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 10_000,
    ...options,
  });
  const crashes: Crash[] = [];
  consumer.onCrash((error, willRestart) => crashes.push({ error, willRestart }));
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  return { topic, groupId, consumer, crashes };
}

async function run(consumer: Consumer, eachBatch: ConsumerRunOptions["eachBatch"]): Promise<void> {
  expect(consumer.isRunning()).toBe(false);
  await consumer.run({ eachBatch });
  // The fetch loop needs a broker round trip before a handler can fail, so this cannot race.
  expect(consumer.isRunning()).toBe(true);
}

describe("consumer crash reporting", () => {
  it("reports a handler's non-retriable error as a crash without restart, and stops running", async () => {
    const { groupId, topic, consumer, crashes } = await setUp();
    let attempts = 0;
    try {
      await run(consumer, async () => {
        attempts += 1;
        throw Object.assign(new Error("poison record"), { retriable: false });
      });
      await waitFor(() => crashes.length > 0, { description: "crash reported" });
      expect(crashes).toHaveLength(1);
      const [crash] = crashes;
      expect(crash?.willRestart).toBe(false);
      expect(crash?.error).toBeInstanceOf(KafkaClientError);
      expect(crash?.error).toMatchObject({
        retriable: false,
        message: expect.stringContaining("poison record"),
      });
      expect(consumer.isRunning()).toBe(false);
      // Not retried, and nothing committed: the record waits for whoever takes the partition over.
      expect(attempts).toBe(1);
      expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "-1" }]);
    } finally {
      await consumer.disconnect();
    }
  });

  it("reports a crash with restart once retries are exhausted, keeps running and re-delivers", async () => {
    const { groupId, topic, consumer, crashes } = await setUp({ retries: 0 });
    const processed: IncomingRecord[] = [];
    let attempts = 0;
    try {
      await run(consumer, async (batch) => {
        attempts += 1;
        if (attempts === 1) throw new Error("transient failure");
        processed.push(...batch.records);
        const last = batch.records.at(-1);
        if (last) {
          await consumer.commit([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
          ]);
        }
      });
      await waitFor(() => crashes.length > 0, { description: "crash reported" });
      expect(crashes[0]?.willRestart).toBe(true);
      expect(crashes[0]?.error).toMatchObject({
        retriable: true,
        message: expect.stringContaining("transient failure"),
      });
      expect(consumer.isRunning()).toBe(true);

      await waitFor(() => committedToEnd(broker.admin, groupId, topic), {
        description: "restarted consumer processed and committed the record",
      });
      expect(processed.map((r) => r.value?.toString())).toEqual(["the record"]);
      expect(attempts).toBe(2);
      expect(crashes).toHaveLength(1);
      expect(consumer.isRunning()).toBe(true);
    } finally {
      await consumer.disconnect();
    }
    expect(consumer.isRunning()).toBe(false);
  });
});
