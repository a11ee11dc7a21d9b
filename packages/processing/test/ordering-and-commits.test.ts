/**
 * The processing layer against the real broker: per-key order with concurrency across keys,
 * lowest-unfinished commits, pending dispositions, due times on the retry path, DLQ contract.
 */
import type { IncomingRecord } from "@invoice/kafka";
import { untilCommittedToEnd, useBroker } from "@invoice/kafka/testing";
import {
  type Delivery,
  DLQ_HEADERS,
  deadLetter,
  done,
  type FinalDisposition,
  pending,
  RETRY_HEADERS,
  retryAt,
} from "@invoice/processing";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { processRestToEnd, readTopic, sleep, startProcessor, textOf } from "./harness.ts";

const broker = useBroker();

describe("per-key order, concurrency across keys", () => {
  it("runs many keys of one partition concurrently and each key strictly in order", async () => {
    const topic = await broker.newTopic("order", 1);
    const dlq = await broker.newTopic("order-dlq", 1);
    const keys = Array.from({ length: 40 }, (_, i) => `ORD-${i}`);
    const perKey = 5;
    // Round-robin over keys: in the partition, records of one key are 40 offsets apart.
    await broker.producer.send(
      topic,
      Array.from({ length: perKey }, (_, n) => keys.map((key) => ({ key, value: `${key}#${n}` }))).flat(),
    );
    const seen = new Map<string, number[]>();
    let inHandler = 0;
    let maxInHandler = 0;
    // Timed from the first handler call to the last record: joining the group (seconds on a loaded
    // machine) is not what the concurrency bound below is about.
    let firstCallAt: number | undefined;
    let lastRecordAt = 0;
    const { processor } = await startProcessor(broker, {
      groupId: broker.newGroup("order"),
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { maxConcurrentBatches: 2 },
      handle: async (batch) => {
        firstCallAt ??= Date.now();
        inHandler += batch.length;
        maxInHandler = Math.max(maxInHandler, inHandler);
        const keysInBatch = new Set(batch.map((d) => d.key));
        expect(keysInBatch.size).toBe(batch.length); // at most one record per key
        await sleep(100); // simulated work, not a wait: a sequential consumer needs 200 x 100 ms
        for (const d of batch) {
          const [key, n] = textOf(d).split("#");
          seen.set(key ?? "", [...(seen.get(key ?? "") ?? []), Number(n)]);
        }
        lastRecordAt = Date.now();
        inHandler -= batch.length;
        return batch.map(() => done());
      },
    });
    try {
      await waitFor(() => [...seen.values()].flat().length === keys.length * perKey, {
        description: "every record",
        timeoutMs: 60_000,
      });
    } finally {
      await processor.stop();
    }
    const handlingMs = lastRecordAt - (firstCallAt ?? lastRecordAt);
    for (const key of keys) expect(seen.get(key), key).toEqual([0, 1, 2, 3, 4]);
    expect(maxInHandler).toBeGreaterThanOrEqual(20);
    // 200 records one at a time take at least 20 s whatever the load; five rounds of 40 keys take
    // about 1 s idle, so 10 s leaves a loaded machine a wide margin and still tells the two apart.
    expect(handlingMs).toBeLessThan(10_000);
  });
});

describe("offsets", () => {
  it("commits up to the lowest unfinished record; after a restart only the unfinished record comes again", async () => {
    const topic = await broker.newTopic("lowest", 1);
    const dlq = await broker.newTopic("lowest-dlq", 1);
    const groupId = broker.newGroup("lowest");
    await broker.producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    const firstRun: string[] = [];
    const never = new Promise<FinalDisposition>(() => undefined);
    const first = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      limits: { drainTimeoutMs: 300 },
      handle: async (batch) =>
        batch.map((d) => {
          firstRun.push(d.record.offset);
          // Offset 3 starts work that never finishes in this run (a provider call cut short).
          return d.record.offset === "3" ? pending(never) : done();
        }),
    });
    try {
      await waitFor(async () => (await broker.admin.groupOffsets(groupId, topic))[0]?.offset === "3", {
        description: "committed offset held at the unfinished record",
      });
      expect(firstRun.sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 10 }, (_, i) => String(i)),
      );
    } finally {
      await first.processor.stop();
    }
    expect(await broker.admin.groupOffsets(groupId, topic)).toEqual([{ partition: 0, offset: "3" }]);

    const secondRun = await processRestToEnd(broker, groupId, [topic], dlq);
    // Offsets 0-2 are below the committed offset; 4-9 are listed as finished in its metadata.
    expect(secondRun).toEqual(["3"]);
  });

  it("a pending disposition releases the key at once and holds the offset until it settles", async () => {
    const topic = await broker.newTopic("pending", 1);
    const dlq = await broker.newTopic("pending-dlq", 1);
    const groupId = broker.newGroup("pending");
    await broker.producer.send(topic, [
      { key: "ORD-1", value: "payment" },
      { key: "ORD-1", value: "refund" },
    ]);
    let settle: (d: FinalDisposition) => void = () => undefined;
    const providerCall = new Promise<FinalDisposition>((resolve) => {
      settle = resolve;
    });
    const handled: string[] = [];
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      handle: async (batch) =>
        batch.map((d) => {
          handled.push(textOf(d));
          return textOf(d) === "payment" ? pending(providerCall) : done();
        }),
    });
    try {
      // The refund of the same order is applied while the payment's provider call is still running.
      await waitFor(() => handled.includes("refund"), { description: "next record of the key" });
      expect(handled).toEqual(["payment", "refund"]);
      // A fixed wait on purpose: "nothing is committed past the pending record" can only be watched
      // for a while. 1 s is ten commit intervals (100 ms), several even when timers run late under load.
      await sleep(1_000);
      expect((await broker.admin.groupOffsets(groupId, topic))[0]?.offset).not.toBe("2");
      settle(done());
      await untilCommittedToEnd(broker.admin, groupId, [topic]);
    } finally {
      await processor.stop();
    }
  });
});

describe("retry path", () => {
  it("publishes a retry with its headers, holds it until due, and does not let it block due records", async () => {
    const topic = await broker.newTopic("main", 1);
    const retry = await broker.newTopic("main-retry", 1);
    const dlq = await broker.newTopic("main-dlq", 1);
    const groupId = broker.newGroup("retry");
    await broker.producer.send(topic, [
      {
        key: "ORD-A",
        value: Buffer.from([0, 1, 2, 0xff]),
        headers: { eventId: "e-a", traceparent: "00-t-s-01" },
      },
    ]);
    const deliveries: Array<{
      at: number;
      value: string;
      key: string | null;
      retry?: number;
      topic: string;
    }> = [];
    let dueAt = 0;
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic, retry],
      retryTopic: retry,
      deadLetterTopic: dlq,
      decode: (record) => record.value,
      handle: async (batch) =>
        batch.map((d: Delivery<Buffer | null>) => {
          deliveries.push({
            at: Date.now(),
            value: d.record.value?.toString("hex") ?? "",
            key: d.key,
            retry: d.retry?.attempt,
            topic: d.record.topic,
          });
          if (d.key === "ORD-A" && d.retry === undefined) {
            // Time is the subject here (a due time). ORD-B below must be produced and delivered before
            // it, which takes a second or two on a loaded machine: 5 s leaves a wide margin.
            dueAt = Date.now() + 5_000;
            return retryAt(dueAt, 1, new Error("provider timeout"));
          }
          return done();
        }),
    });
    try {
      await waitFor(() => deliveries.length === 1, { description: "first delivery" });
      // While ORD-A waits on the retry topic, a due record of another key lands in the same
      // partition behind it: it must not wait for ORD-A's due time. The high watermark says the retry
      // record is there without a reader's group join inside the due-time window.
      await waitFor(async () => (await broker.admin.topicOffsets(retry))[0]?.high === "1", {
        description: "the retry record",
      });
      await broker.producer.send(retry, [
        { key: "ORD-B", value: "due-now", headers: { [RETRY_HEADERS.attempt]: "1" } },
      ]);
      await waitFor(() => deliveries.some((d) => d.key === "ORD-B"), { description: "ORD-B" });
      await waitFor(() => deliveries.some((d) => d.key === "ORD-A" && d.retry === 1), {
        description: "ORD-A again from the retry topic",
        timeoutMs: 30_000,
      });
      await untilCommittedToEnd(broker.admin, groupId, [topic, retry]);

      const retryCopy: IncomingRecord[] = [];
      const reader = await readTopic(broker, retry, retryCopy);
      await waitFor(() => retryCopy.length === 2, { description: "the retry topic's two records" });
      await reader.disconnect();
      const copy = retryCopy.find((r) => r.key?.toString() === "ORD-A");
      expect(copy?.key?.toString()).toBe("ORD-A");
      expect(copy?.value).toEqual(Buffer.from([0, 1, 2, 0xff]));
      expect(copy?.headers).toMatchObject({
        eventId: "e-a",
        traceparent: "00-t-s-01",
        [RETRY_HEADERS.attempt]: "1",
        [RETRY_HEADERS.dueAt]: String(dueAt),
        [RETRY_HEADERS.errorClass]: "Error",
        [RETRY_HEADERS.errorMessage]: "Error: provider timeout",
        [RETRY_HEADERS.originalTopic]: topic,
        [RETRY_HEADERS.originalOffset]: "0",
      });
      const b = deliveries.find((d) => d.key === "ORD-B");
      const aAgain = deliveries.find((d) => d.key === "ORD-A" && d.retry === 1);
      expect(b && aAgain && b.at < aAgain.at).toBe(true);
      expect(aAgain?.at).toBeGreaterThanOrEqual(dueAt);
      expect(aAgain?.value).toBe("000102ff");
    } finally {
      await processor.stop();
    }
  });
});

describe("dead-letter topic", () => {
  it("publishes the original key and value bytes unchanged with the DLQ headers", async () => {
    const topic = await broker.newTopic("dl", 1);
    const dlq = await broker.newTopic("dl-dlq", 1);
    const groupId = broker.newGroup("dl");
    const value = Buffer.from([0, 0, 0, 0, 42, 0x80, 0x00, 0xfe]);
    const [sent] = await broker.producer.send(topic, [
      {
        key: "ORD-9",
        value,
        headers: {
          eventId: "e-9",
          traceparent: "00-a-b-01",
          "content-type": "application/vnd.confluent.avro",
        },
      },
    ]);
    const { processor } = await startProcessor(broker, {
      groupId,
      topics: [topic],
      deadLetterTopic: dlq,
      handle: async (batch) => batch.map(() => deadLetter("exhausted", new RangeError("attempts used up"))),
    });
    const dead: IncomingRecord[] = [];
    const reader = await readTopic(broker, dlq, dead);
    try {
      await waitFor(() => dead.length === 1, { description: "the DLQ record" });
      await untilCommittedToEnd(broker.admin, groupId, [topic]);
    } finally {
      await reader.disconnect();
      await processor.stop();
    }
    const [record] = dead;
    expect(record?.key).toEqual(Buffer.from("ORD-9"));
    expect(record?.value).toEqual(value);
    expect(record?.headers).toMatchObject({
      eventId: "e-9",
      traceparent: "00-a-b-01",
      "content-type": "application/vnd.confluent.avro",
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: "0",
      [DLQ_HEADERS.originalOffset]: sent?.offset,
      [DLQ_HEADERS.consumerGroup]: groupId,
      [DLQ_HEADERS.reason]: "exhausted",
      [DLQ_HEADERS.errorClass]: "RangeError",
      [DLQ_HEADERS.errorMessage]: "RangeError: attempts used up",
    });
    expect(Number(record?.headers[DLQ_HEADERS.originalTimestamp])).toBeGreaterThan(1_700_000_000_000);
    expect(record?.headers[DLQ_HEADERS.errorStack]).toContain("RangeError: attempts used up");
  });
});
