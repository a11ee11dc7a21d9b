import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll } from "vitest";
import { createKafkaJsClient } from "../kafkajs/kafkajs-client.ts";
import { silentLogger } from "../logger.ts";
import type { Admin, Consumer, IncomingRecord, KafkaClient, Producer } from "../ports.ts";

/** A client of the stack's broker (`KAFKA_BROKERS`, else 127.0.0.1:9092) with a unique client id. */
export function testClient(): KafkaClient {
  return createKafkaJsClient({
    brokers: stackEnv().kafkaBrokers,
    clientId: uniqueName("it"),
    logger: silentLogger,
  });
}

/**
 * Starts a consumer that appends every record it sees and commits as it goes. With
 * `outsideAssignment`, records of a batch whose partition was not assigned to this member when the
 * batch arrived are appended there too.
 */
export async function collectingConsumer(
  client: KafkaClient,
  groupId: string,
  topics: string[],
  sink: IncomingRecord[],
  options: { commit?: boolean; outsideAssignment?: IncomingRecord[] } = {},
): Promise<Consumer> {
  const consumer = client.consumer({
    groupId,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 10_000,
  });
  await consumer.connect();
  await consumer.subscribe(topics, { fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async (batch) => {
      const assigned = consumer
        .assignment()
        .some((tp) => tp.topic === batch.topic && tp.partition === batch.partition);
      if (!assigned) options.outsideAssignment?.push(...batch.records);
      sink.push(...batch.records);
      const last = batch.records.at(-1);
      if (last && options.commit !== false) {
        await consumer.commit([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
      }
    },
  });
  return consumer;
}

/**
 * True once the group's committed offset of every partition equals the partition's high watermark
 * (lag 0; a partition that never held a record counts as caught up with nothing committed).
 */
export async function committedToEnd(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const [committed, ends] = await Promise.all([
    admin.groupOffsets(groupId, topic),
    admin.topicOffsets(topic),
  ]);
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset === "-1" ? "0" : c.offset]));
  return ends.every((end) => (byPartition.get(end.partition) ?? "0") === end.high);
}

/** Waits until the group's lag is 0 on every partition of every topic (see committedToEnd). */
export async function untilCommittedToEnd(
  admin: Admin,
  groupId: string,
  topics: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    async () => (await Promise.all(topics.map((t) => committedToEnd(admin, groupId, t)))).every(Boolean),
    { timeoutMs, description: `group ${groupId} committed to the end of ${topics.join(", ")}` },
  );
}

export interface BrokerFixture {
  client: KafkaClient;
  admin: Admin;
  producer: Producer;
  /**
   * Creates a uniquely named topic, deleted again after the file's tests. The local broker does
   * not create topics on first use (auto.create.topics.enable=false), so every test creates its own.
   */
  newTopic(prefix: string, partitions?: number): Promise<string>;
  /** A unique consumer group id; the group is deleted after the file's tests (once it is empty). */
  newGroup(prefix: string): string;
  /** Deletes a topic the test created itself after the file's tests. */
  track(topic: string): void;
}

/** One client, admin and producer per test file, connected before and closed after its tests. */
export function useBroker(): BrokerFixture {
  const topics: string[] = [];
  const groups: string[] = [];
  const fixture = {
    track: (topic: string) => {
      topics.push(topic);
    },
    newGroup: (prefix: string) => {
      const group = uniqueName(prefix);
      groups.push(group);
      return group;
    },
    newTopic: async (prefix: string, partitions = 3) => {
      const topic = uniqueName(prefix);
      await fixture.admin.ensureTopics([{ topic, partitions }]);
      topics.push(topic);
      return topic;
    },
  } as BrokerFixture;
  beforeAll(async () => {
    fixture.client = testClient();
    fixture.admin = fixture.client.admin();
    await fixture.admin.connect();
    fixture.producer = fixture.client.producer();
    await fixture.producer.connect();
  });
  afterAll(async () => {
    await fixture.producer?.disconnect();
    // Cleanup is best effort: a group that still has a member (a test that failed before it
    // disconnected) cannot be deleted, and must not hide the test's own failure.
    await fixture.admin?.deleteGroups(groups).catch(() => undefined);
    await fixture.admin?.deleteTopics(topics).catch(() => undefined);
    await fixture.admin?.disconnect();
  });
  return fixture;
}
