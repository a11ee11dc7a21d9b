import { collectingConsumer, testClient, untilCommittedToEnd } from "@invoice/kafka/testing";
import { createLogger, createMetrics } from "@invoice/observability";
import { uniqueName } from "@invoice/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createConsumerLagMetrics } from "../src/consumer-lag-metrics.ts";

const kafka = testClient();
const admin = kafka.admin();
const topic = uniqueName("lag-metrics");
const group = uniqueName("lag-metrics-group");

beforeAll(async () => {
  await admin.connect();
  await admin.ensureTopics([{ topic, partitions: 3 }]);
});

afterAll(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.disconnect();
});

/** A registry holding one lag read of `group`, as the service's timer would make it. */
async function lagRegistry(group: string) {
  const registry = createMetrics({ service: "test", defaultMetrics: false });
  const metrics = createConsumerLagMetrics({
    registry,
    admin,
    groups: [group],
    logger: createLogger({ service: "test", level: "silent" }),
  });
  await metrics.refresh();
  return registry;
}

it("exports kafka_consumergroup_lag and _lag_sum equal to the lag computed from the admin API", async () => {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send(
    topic,
    Array.from({ length: 5 }, (_, i) => ({ key: `a${i}`, value: "v" })),
  );
  const consumer = await collectingConsumer(kafka, group, [topic], []);
  await untilCommittedToEnd(admin, group, [topic]);
  await consumer.disconnect();
  await producer.send(
    topic,
    Array.from({ length: 11 }, (_, i) => ({ key: `b${i}`, value: "v" })),
  );
  await producer.disconnect();

  const registry = await lagRegistry(group);

  const [committed, ends] = await Promise.all([admin.groupOffsets(group, topic), admin.topicOffsets(topic)]);
  const expected = new Map(
    ends.map((end) => {
      const c = committed.find((x) => x.partition === end.partition)?.offset ?? "-1";
      return [String(end.partition), Number(BigInt(end.high) - BigInt(c === "-1" ? end.low : c))];
    }),
  );
  const lag = (await registry.getSingleMetric("kafka_consumergroup_lag")?.get())?.values ?? [];
  expect(lag.map((v) => v.labels.consumergroup)).toEqual([group, group, group]);
  expect(new Map(lag.map((v) => [String(v.labels.partition), v.value]))).toEqual(expected);
  const sum = (await registry.getSingleMetric("kafka_consumergroup_lag_sum")?.get())?.values ?? [];
  expect(sum).toEqual([{ labels: { consumergroup: group, topic }, value: 11 }]);
  const text = await registry.metrics();
  expect(text).toContain(`kafka_consumergroup_lag{consumergroup="${group}",topic="${topic}",partition="0"`);
  expect(text).toMatch(/invoice_consumer_lag_read_age_seconds\{service="test"\} \d/);
});

it("reports the lag of a partition the group never committed, counted from the log start", async () => {
  // A group commits only the partitions it read records from: here partition 0. Records that reach
  // partition 2 later are lag all the same, and the empty partition 1 is reported as caught up.
  const sparseTopic = uniqueName("lag-metrics-sparse");
  const sparseGroup = uniqueName("lag-metrics-sparse-group");
  await admin.ensureTopics([{ topic: sparseTopic, partitions: 3 }]);
  try {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(
      sparseTopic,
      Array.from({ length: 4 }, (_, i) => ({ key: `a${i}`, value: "v", partition: 0 })),
    );
    const consumer = await collectingConsumer(kafka, sparseGroup, [sparseTopic], []);
    await untilCommittedToEnd(admin, sparseGroup, [sparseTopic]);
    await consumer.disconnect();
    await producer.send(
      sparseTopic,
      Array.from({ length: 3 }, (_, i) => ({ key: `b${i}`, value: "v", partition: 2 })),
    );
    await producer.disconnect();

    const committed = await admin.groupCommittedOffsets(sparseGroup);
    expect(committed.map((c) => [c.partition, c.offset])).toEqual([
      [0, "4"],
      [1, "-1"],
      [2, "-1"],
    ]);
    const registry = await lagRegistry(sparseGroup);
    const lag = (await registry.getSingleMetric("kafka_consumergroup_lag")?.get())?.values ?? [];
    expect(new Map(lag.map((v) => [String(v.labels.partition), v.value]))).toEqual(
      new Map([
        ["0", 0],
        ["1", 0],
        ["2", 3],
      ]),
    );
    const sum = (await registry.getSingleMetric("kafka_consumergroup_lag_sum")?.get())?.values ?? [];
    expect(sum).toEqual([{ labels: { consumergroup: sparseGroup, topic: sparseTopic }, value: 3 }]);
  } finally {
    await admin.deleteTopics([sparseTopic]).catch(() => undefined);
    await admin.deleteGroups([sparseGroup]).catch(() => undefined);
  }
});
