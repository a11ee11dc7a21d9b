/**
 * Proves the kafkajs adapter against the real Kafka 4.x broker of the local stack (ADR 0002).
 */
import {
  type Admin,
  type IncomingRecord,
  type KafkaClient,
  type Producer,
  partitionForKey,
} from "@invoice/kafka";
import { runKafkaTool, stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectingConsumer, testClient } from "./helpers.ts";

// Keys of every length mod 4 (murmur2's tail cases), non-ASCII, and order-id shapes we really use.
const KEYS = [
  "1",
  "ab",
  "abc",
  "ORD-0001",
  "ORD-00002",
  "order-1765432109876543210",
  "đơn-hàng-số-42",
  "Hóa đơn điện tử",
  "x".repeat(97),
  ...Array.from({ length: 40 }, (_, i) => `ORD-${(i * 7919).toString(36)}`),
];

let client: KafkaClient;
let admin: Admin;
let producer: Producer;
const created: string[] = [];

async function newTopic(prefix: string, partitions = 3): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.ensureTopics([{ topic, partitions }]);
  created.push(topic);
  return topic;
}

beforeAll(async () => {
  client = testClient();
  admin = client.admin();
  await admin.connect();
  producer = client.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.deleteTopics(created).catch(() => undefined);
  await admin?.disconnect();
});

describe("admin", () => {
  it("creates topics idempotently with the requested partition counts", async () => {
    const topic = uniqueName("admin");
    created.push(topic);
    expect(await admin.ensureTopics([{ topic, partitions: 3 }])).toEqual([topic]);
    expect(await admin.ensureTopics([{ topic, partitions: 3 }])).toEqual([]);
    expect(await admin.describeTopics([topic])).toEqual([{ topic, partitions: 3 }]);
  });

  it("reports a missing topic as a classified error", async () => {
    await expect(admin.describeTopics([uniqueName("missing")])).rejects.toMatchObject({
      name: "KafkaClientError",
    });
  });
});

describe("producer and consumer group", () => {
  it("delivers keyed records across 3 partitions, each on the partition murmur2 gives its key", async () => {
    const topic = await newTopic("keyed");
    const metadata = await producer.send(
      topic,
      KEYS.map((key, i) => ({ key, value: `v${i}`, headers: { eventId: `e-${i}` } })),
    );
    expect(metadata.length).toBeGreaterThan(0);

    const seen: IncomingRecord[] = [];
    const consumer = await collectingConsumer(client, uniqueName("g"), [topic], seen);
    try {
      await waitFor(() => seen.length >= KEYS.length, {
        description: "all keyed records",
        timeoutMs: 30_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toHaveLength(KEYS.length);
    expect(new Set(seen.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
    for (const record of seen) {
      const key = record.key?.toString("utf8") ?? "";
      expect(record.partition, `partition of ${key}`).toBe(partitionForKey(key, 3));
      expect(record.headers.eventId).toBe(`e-${KEYS.indexOf(key)}`);
    }
  });

  it("puts every key on the same partition as Kafka's own Java producer", async () => {
    const topic = await newTopic("java");
    // Keys with ':' would be split by the console producer; none of ours contain one.
    const input = `${KEYS.map((key, i) => `${key}:java-${i}`).join("\n")}\n`;
    await runKafkaTool(
      "org.apache.kafka.tools.ConsoleProducer",
      [
        "--bootstrap-server",
        stackEnv().kafkaBrokers.join(","),
        "--topic",
        topic,
        "--property",
        "parse.key=true",
        "--property",
        "key.separator=:",
      ],
      { input },
    );
    const seen: IncomingRecord[] = [];
    const consumer = await collectingConsumer(client, uniqueName("g"), [topic], seen);
    try {
      await waitFor(() => seen.length >= KEYS.length, { description: "records from the Java producer" });
    } finally {
      await consumer.disconnect();
    }
    const javaPartition = new Map(seen.map((r) => [r.key?.toString("utf8"), r.partition]));
    expect(javaPartition.size).toBe(KEYS.length);
    for (const key of KEYS) expect(javaPartition.get(key), key).toBe(partitionForKey(key, 3));
  });

  it("registers as an idempotent producer with the broker (producer id and sequence tracked)", async () => {
    const topic = await newTopic("idem", 1);
    await producer.send(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: "same-order", value: `v${i}` })),
    );
    const { stdout } = await runKafkaTool("org.apache.kafka.tools.TransactionsCommand", [
      "--bootstrap-server",
      stackEnv().kafkaBrokers.join(","),
      "describe-producers",
      "--topic",
      topic,
      "--partition",
      "0",
    ]);
    // Columns: ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp ...
    const rows = stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/));
    expect(rows).toHaveLength(1);
    const [producerId, , , lastSequence] = rows[0] ?? [];
    expect(Number(producerId)).toBeGreaterThanOrEqual(0);
    expect(Number(lastSequence)).toBe(4);
  });

  it("rebalances a group from one member to two without losing or duplicating a record", async () => {
    const topic = await newTopic("rebalance");
    const groupId = uniqueName("g");
    const seenA: IncomingRecord[] = [];
    const seenB: IncomingRecord[] = [];
    const a = await collectingConsumer(client, groupId, [topic], seenA);
    const b = testClient();
    let consumerB: Awaited<ReturnType<typeof collectingConsumer>> | undefined;
    try {
      await waitFor(() => a.assignment().length === 3, { description: "first member owns all 3 partitions" });
      consumerB = await collectingConsumer(b, groupId, [topic], seenB);
      const memberB = consumerB;
      await waitFor(
        () => a.assignment().length + memberB.assignment().length === 3 && memberB.assignment().length > 0,
        {
          description: "partitions split between the two members",
        },
      );
      const owned = [...a.assignment(), ...memberB.assignment()].map((tp) => tp.partition).sort();
      expect(owned).toEqual([0, 1, 2]);

      await producer.send(
        topic,
        KEYS.map((key) => ({ key, value: key })),
      );
      await waitFor(() => seenA.length + seenB.length >= KEYS.length, {
        description: "records after rebalance",
      });
      const all = [...seenA, ...seenB].map((r) => `${r.partition}/${r.offset}`);
      expect(new Set(all).size).toBe(KEYS.length);
      const partitionsOfA = new Set(a.assignment().map((tp) => tp.partition));
      expect(seenA.every((r) => partitionsOfA.has(r.partition))).toBe(true);
    } finally {
      await consumerB?.disconnect();
      await a.disconnect();
    }
  });

  it("resumes from committed offsets after a restart", async () => {
    const topic = await newTopic("resume");
    const groupId = uniqueName("g");
    await producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })),
    );
    const firstRun: IncomingRecord[] = [];
    const first = await collectingConsumer(client, groupId, [topic], firstRun);
    await waitFor(() => firstRun.length >= 10, { description: "first 10 records" });
    await first.disconnect();

    const committed = await admin.groupOffsets(groupId, topic);
    const ends = await admin.topicOffsets(topic);
    expect(committed.map((c) => c.offset)).toEqual(ends.map((e) => e.high));

    await producer.send(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` })),
    );
    const secondRun: IncomingRecord[] = [];
    const second = await collectingConsumer(testClient(), groupId, [topic], secondRun);
    try {
      await waitFor(() => secondRun.length >= 5, { description: "records produced while stopped" });
    } finally {
      await second.disconnect();
    }
    expect(secondRun.map((r) => r.value?.toString()).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => `second-${i}`),
    );
  });
});
