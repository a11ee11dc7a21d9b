/**
 * Proves the kafkajs adapter against the real Kafka 4.x broker of the local stack (ADR 0002).
 */
import { type Consumer, type IncomingRecord, partitionForKey, type RecordMetadata } from "@invoice/kafka";
import { collectingConsumer, committedToEnd, testClient, useBroker } from "@invoice/kafka/testing";
import { runKafkaTool, stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";

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

const broker = useBroker();

describe("admin", () => {
  it("creates topics idempotently with the requested partition counts", async () => {
    const topic = uniqueName("admin");
    broker.track(topic);
    expect(await broker.admin.ensureTopics([{ topic, partitions: 3 }])).toEqual([topic]);
    expect(await broker.admin.ensureTopics([{ topic, partitions: 3 }])).toEqual([]);
    expect(await broker.admin.describeTopics([topic])).toEqual([{ topic, partitions: 3 }]);
  });

  it("reports a missing topic as a classified error", async () => {
    await expect(broker.admin.describeTopics([uniqueName("missing")])).rejects.toMatchObject({
      name: "KafkaClientError",
    });
  });
});

describe("producer and consumer group", () => {
  it("delivers keyed records across 3 partitions, each on the partition murmur2 gives its key", async () => {
    const topic = await broker.newTopic("keyed");
    const metadata = await broker.producer.send(
      topic,
      KEYS.map((key, i) => ({ key, value: `v${i}`, headers: { eventId: `e-${i}` } })),
    );
    expect(metadata).toHaveLength(KEYS.length);

    const seen: IncomingRecord[] = [];
    const consumer = await collectingConsumer(broker.client, uniqueName("g"), [topic], seen);
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
    const topic = await broker.newTopic("java");
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
    const consumer = await collectingConsumer(broker.client, uniqueName("g"), [topic], seen);
    try {
      await waitFor(() => seen.length >= KEYS.length, { description: "records from the Java producer" });
    } finally {
      await consumer.disconnect();
    }
    const javaPartition = new Map(seen.map((r) => [r.key?.toString("utf8"), r.partition]));
    expect(javaPartition.size).toBe(KEYS.length);
    for (const key of KEYS) expect(javaPartition.get(key), key).toBe(partitionForKey(key, 3));
  });

  it("registers as an idempotent broker.producer with the broker (broker.producer id and sequence tracked)", async () => {
    const topic = await broker.newTopic("idem", 1);
    await broker.producer.send(
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
    const topic = await broker.newTopic("rebalance");
    const groupId = uniqueName("g");
    const firstHalf = KEYS.slice(0, 24);
    const secondHalf = KEYS.slice(24);
    // The second half must reach every partition, so whichever split the group picks, both members
    // have records to consume after it.
    expect(new Set(secondHalf.map((key) => partitionForKey(key, 3)))).toEqual(new Set([0, 1, 2]));
    const seenA: IncomingRecord[] = [];
    const seenB: IncomingRecord[] = [];
    const outsideA: IncomingRecord[] = [];
    const outsideB: IncomingRecord[] = [];
    const a = await collectingConsumer(broker.client, groupId, [topic], seenA, {
      outsideAssignment: outsideA,
    });
    let b: Consumer | undefined;
    try {
      await waitFor(() => a.assignment().length === 3, { description: "first member owns all 3 partitions" });
      const sent = await broker.producer.send(
        topic,
        firstHalf.map((key) => ({ key, value: `first:${key}` })),
      );
      await waitFor(() => committedToEnd(broker.admin, groupId, topic), {
        description: "first member consumed and committed the first half",
      });
      expect(seenA).toHaveLength(firstHalf.length);

      const memberB = await collectingConsumer(testClient(), groupId, [topic], seenB, {
        outsideAssignment: outsideB,
      });
      b = memberB;
      await waitFor(
        () => {
          const ofA = a.assignment().map((tp) => tp.partition);
          const ofB = memberB.assignment().map((tp) => tp.partition);
          const owned = [...ofA, ...ofB].sort().join(",");
          return ofA.length > 0 && ofB.length > 0 && owned === "0,1,2";
        },
        { description: "partitions split disjointly between the two members" },
      );

      sent.push(
        ...(await broker.producer.send(
          topic,
          secondHalf.map((key) => ({ key, value: `second:${key}` })),
        )),
      );
      await waitFor(() => committedToEnd(broker.admin, groupId, topic), {
        description: "group committed up to the high watermark of every partition",
      });

      const all = [...seenA, ...seenB];
      const produced = KEYS.length;
      // Count, not a set: a record delivered twice makes this fail.
      expect(all.length).toBe(produced);
      expect(new Set(all.map((r) => `${r.partition}/${r.offset}`))).toEqual(
        new Set(sent.map((m) => `${m.partition}/${m.offset}`)),
      );
      expect(all.map((r) => r.value?.toString()).sort()).toEqual(
        [...firstHalf.map((k) => `first:${k}`), ...secondHalf.map((k) => `second:${k}`)].sort(),
      );
      expect(seenB.length).toBeGreaterThan(0);
      expect(outsideA).toEqual([]);
      expect(outsideB).toEqual([]);
    } finally {
      await b?.disconnect();
      await a.disconnect();
    }
  });

  it("reports each record's own partition and offset, aligned with the input records", async () => {
    const topic = await broker.newTopic("offsets");
    // A first call moves every partition's base offset away from 0.
    const first = await broker.producer.send(
      topic,
      KEYS.slice(0, 10).map((key, i) => ({ key, value: `first-${i}` })),
    );
    // Every fifth record targets a partition other than its key's, interleaved with keyed ones.
    const explicit = (i: number, key: string) =>
      i % 5 === 0 ? (partitionForKey(key, 3) + 1) % 3 : undefined;
    const secondRecords = KEYS.map((key, i) => ({ key, value: `second-${i}`, partition: explicit(i, key) }));
    const second = await broker.producer.send(topic, secondRecords);
    expect(first).toHaveLength(10);
    expect(second).toHaveLength(KEYS.length);
    secondRecords.forEach((record, i) => {
      expect(second[i]?.partition, record.value).toBe(record.partition ?? partitionForKey(record.key, 3));
    });

    const sentByValue = new Map<string, RecordMetadata>([
      ...first.map((m, i): [string, RecordMetadata] => [`first-${i}`, m]),
      ...second.map((m, i): [string, RecordMetadata] => [`second-${i}`, m]),
    ]);
    const seen: IncomingRecord[] = [];
    const consumer = await collectingConsumer(broker.client, uniqueName("g"), [topic], seen);
    try {
      await waitFor(() => seen.length >= sentByValue.size, { description: "every record sent" });
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toHaveLength(sentByValue.size);
    for (const record of seen) {
      const value = record.value?.toString() ?? "";
      expect(sentByValue.get(value), value).toEqual({
        topic,
        partition: record.partition,
        offset: record.offset,
      });
    }
  });

  it("coalesces concurrent sends into shared requests and still reports each record's own offset", async () => {
    const [a, b] = await Promise.all([broker.newTopic("coalesce-a"), broker.newTopic("coalesce-b")]);
    // 60 callers at once, over two topics and every partition, one to five records each: while the
    // first request is in flight the others queue and go out together.
    const calls = Array.from({ length: 60 }, (_, c) => ({
      topic: c % 3 === 0 ? b : a,
      records: Array.from({ length: 1 + (c % 5) }, (_, r) => ({
        key: KEYS[(c * 7 + r) % KEYS.length] as string,
        value: `call-${c}-record-${r}`,
      })),
    }));
    const results = await Promise.all(calls.map((call) => broker.producer.send(call.topic, call.records)));

    const sent = new Map<string, RecordMetadata>();
    calls.forEach((call, c) => {
      const metadata = results[c] ?? [];
      expect(metadata).toHaveLength(call.records.length);
      call.records.forEach((record, r) => {
        expect(metadata[r]?.topic).toBe(call.topic);
        expect(metadata[r]?.partition).toBe(partitionForKey(record.key, 3));
        sent.set(record.value, metadata[r] as RecordMetadata);
      });
    });
    // No two records were given the same place.
    expect(new Set([...sent.values()].map((m) => `${m.topic}/${m.partition}/${m.offset}`)).size).toBe(
      sent.size,
    );

    const seen: IncomingRecord[] = [];
    const consumer = await collectingConsumer(broker.client, uniqueName("g"), [a, b], seen);
    try {
      await waitFor(() => seen.length >= sent.size, { description: "every record sent" });
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toHaveLength(sent.size);
    for (const record of seen) {
      const value = record.value?.toString() ?? "";
      expect(sent.get(value), value).toEqual({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
    }
  });

  it("a send to a missing topic fails alone: concurrent sends to other topics are not held or failed", async () => {
    const topic = await broker.newTopic("beside-missing");
    const missing = uniqueName("missing");
    const settled: string[] = [];
    const track = <T>(name: string, promise: Promise<T>) =>
      promise.then(
        (value) => {
          settled.push(name);
          return value;
        },
        (error: unknown) => {
          settled.push(name);
          throw error;
        },
      );
    // All handed over in one turn, so they would share a request.
    const bad = track("missing", broker.producer.send(missing, [{ key: "k", value: "lost" }])).then(
      () => "resolved",
      (error: unknown) => error,
    );
    const good = Array.from({ length: 5 }, (_, i) =>
      track(`good-${i}`, broker.producer.send(topic, [{ key: `k${i}`, value: `kept-${i}` }])),
    );
    const results = await Promise.all(good);
    results.forEach((metadata, i) => {
      expect(metadata).toEqual([
        { topic, partition: partitionForKey(`k${i}`, 3), offset: expect.any(String) },
      ]);
    });
    // kafkajs looks the missing topic up for seconds before giving up; the others did not wait for it.
    expect(settled).not.toContain("missing");
    expect(await bad).toMatchObject({ name: "KafkaClientError", code: "KAFKA_UNKNOWN_TOPIC" });
  });

  it("counts the bytes of multi-byte strings: two sends that fit alone are not refused together", async () => {
    const topic = await broker.newTopic("utf8-sizes");
    // 200,000 characters of 3 bytes in UTF-8: 600 kB each, under the broker's 1 MiB per batch alone,
    // 1.2 MB together on one partition (same key).
    const value = "ệ".repeat(200_000);
    const results = await Promise.all([
      broker.producer.send(topic, [{ key: "same-order", value: "small" }]),
      broker.producer.send(topic, [{ key: "same-order", value }]),
      broker.producer.send(topic, [{ key: "same-order", value }]),
    ]);
    const offsets = results.map((metadata) => metadata[0]?.offset);
    expect(new Set(offsets).size).toBe(3);
    expect(results.every((metadata) => metadata[0]?.partition === partitionForKey("same-order", 3))).toBe(
      true,
    );
  });

  it("resumes from committed offsets after a restart", async () => {
    const topic = await broker.newTopic("resume");
    const groupId = uniqueName("g");
    await broker.producer.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })),
    );
    const firstRun: IncomingRecord[] = [];
    const first = await collectingConsumer(broker.client, groupId, [topic], firstRun);
    await waitFor(() => firstRun.length >= 10, { description: "first 10 records" });
    await first.disconnect();

    const committed = await broker.admin.groupOffsets(groupId, topic);
    const ends = await broker.admin.topicOffsets(topic);
    expect(committed.map((c) => c.offset)).toEqual(ends.map((e) => e.high));

    await broker.producer.send(
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
