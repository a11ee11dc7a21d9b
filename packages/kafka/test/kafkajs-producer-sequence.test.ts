/**
 * The idempotent producer after a send whose outcome was unknown (found by the chaos Kafka restart,
 * 3 Dec: after the private broker came back every publish of the issuer failed with "The broker
 * received an out of order sequence number", for good, and the records were dead-lettered).
 *
 * kafkajs numbers each partition's batches; when a produce request fails it takes the numbers back,
 * although the broker may have written the batch (the response was lost with the connection). The
 * next send — a different batch, ours coalesces several callers' — reuses numbers the broker has
 * already seen with other records: OUT_OF_ORDER_SEQUENCE_NUMBER, on every later send, because
 * nothing resets the producer. Here the fault is exact: a socket of ours hands each Produce request
 * to the broker and then closes the connection before the answer arrives.
 */
import { connect, Socket } from "node:net";
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaJsProducer } from "../src/kafkajs/kafkajs-producer.ts";
import type { IncomingRecord } from "../src/ports.ts";
import { collectingConsumer, useBroker } from "../src/testing/index.ts";

const PRODUCE_API_KEY = 0;

/** While `dropAnswers` is on, every Produce request reaches the broker and its connection is cut. */
const fault = { dropAnswers: false, cut: 0 };

function faultySocket({
  host,
  port,
  onConnect,
}: {
  host: string;
  port: number;
  onConnect: () => void;
}): Socket {
  const socket = connect({ host, port }, onConnect);
  const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;
  socket.write = function (this: Socket, data: unknown, ...rest: unknown[]) {
    const produce = Buffer.isBuffer(data) && data.length > 6 && data.readInt16BE(4) === PRODUCE_API_KEY;
    if (!fault.dropAnswers || !produce) return write.call(this, data, ...rest);
    fault.cut++;
    // Handed to the kernel whole, then the connection is reset before the broker's answer arrives.
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    return write.call(this, data, () => this.destroy(reset));
  } as Socket["write"];
  return socket;
}

const broker = useBroker();
let kafka: Kafka;

beforeAll(() => {
  kafka = new Kafka({
    clientId: uniqueName("seq"),
    brokers: stackEnv().kafkaBrokers,
    logLevel: logLevel.NOTHING,
    socketFactory: faultySocket as never,
    // Few, quick retries: the send must give up while answers are being dropped.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
  });
});

afterAll(() => {
  fault.dropAnswers = false;
});

/**
 * The topic's records, read by a new group until every value in `until` has been seen or
 * `timeoutMs` passed (then the test's assertions say what is missing).
 */
async function recordsOf(topic: string, until: string[], timeoutMs: number): Promise<IncomingRecord[]> {
  const seen: IncomingRecord[] = [];
  const consumer = await collectingConsumer(broker.client, broker.newGroup("seq"), [topic], seen);
  try {
    await waitFor(() => until.every((value) => seen.some((r) => r.value?.toString() === value)), {
      timeoutMs,
      description: `records ${until.join(", ")} on ${topic}`,
    }).catch(() => undefined);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** A client without the faulty socket, with few quick retries. */
function plainKafka(prefix: string, retries: number, maxRetryTime: number): Kafka {
  return new Kafka({
    clientId: uniqueName(prefix),
    brokers: stackEnv().kafkaBrokers,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime },
  });
}

describe("idempotent producer after a send with an unknown outcome", () => {
  it("sends again after answers were lost, and every record acknowledged is on the topic", async () => {
    const topic = await broker.newTopic("seq", 1);
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    try {
      await producer.send(topic, [{ key: "k", value: "before", headers: { eventId: "e0" } }]);

      fault.dropAnswers = true;
      const lost = producer.send(topic, [
        { key: "k", value: "lost-1", headers: { eventId: "e1" } },
        { key: "k", value: "lost-2", headers: { eventId: "e2" } },
        { key: "k", value: "lost-3", headers: { eventId: "e3" } },
      ]);
      await expect(lost).rejects.toMatchObject({ name: "KafkaClientError", retriable: true });
      expect(fault.cut).toBeGreaterThanOrEqual(1);
      fault.dropAnswers = false;

      // A different batch next: before the fix, OUT_OF_ORDER_SEQUENCE_NUMBER here and on every send after.
      const after = await producer.send(topic, [{ key: "k", value: "after-1", headers: { eventId: "e4" } }]);
      expect(after).toHaveLength(1);
      const later = await producer.send(topic, [
        { key: "k", value: "after-2", headers: { eventId: "e5" } },
        { key: "k", value: "after-3", headers: { eventId: "e6" } },
      ]);
      expect(later).toHaveLength(2);

      const seen = await recordsOf(topic, ["after-3"], 30_000);
      const values = seen.map((r) => r.value?.toString());
      // Acknowledged records are there once each, in order; the lost batch may be there (written
      // before its answer was cut) — at least once, consumers dedupe by eventId.
      expect(values.filter((v) => !v?.startsWith("lost"))).toEqual([
        "before",
        "after-1",
        "after-2",
        "after-3",
      ]);
    } finally {
      fault.dropAnswers = false;
      await producer.disconnect();
    }
  }, 90_000);
});

describe("idempotent producer after a send with an unknown outcome, next batch of the same size", () => {
  it("writes the next batch (the broker must not take it for a retry of the lost one)", async () => {
    const topic = await broker.newTopic("seq-same", 1);
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    try {
      fault.dropAnswers = true;
      const lost = producer.send(topic, [{ key: "k", value: "lost", headers: { eventId: "e1" } }]);
      await expect(lost).rejects.toMatchObject({ name: "KafkaClientError", retriable: true });
      fault.dropAnswers = false;
      const [next] = await producer.send(topic, [{ key: "k", value: "next", headers: { eventId: "e2" } }]);
      const seen = await recordsOf(topic, ["next"], 10_000);
      expect(seen.map((r) => r.value?.toString())).toContain("next");
      expect(seen.find((r) => r.value?.toString() === "next")?.offset).toBe(next?.offset);
    } finally {
      fault.dropAnswers = false;
      await producer.disconnect();
    }
  }, 60_000);
});

/**
 * A request refused for one partition only. The broker appends each partition's batch on its own:
 * with one record too large for partition 1, partition 0's batch is written, yet kafkajs fails the
 * whole request (the response's first partition error) and takes back the numbers of both batches.
 * A next batch for partition 0 of the same size then carries the numbers of the written one: the
 * broker takes it for a retry of that batch and acknowledges it with the old offset, writing nothing.
 */
describe("idempotent producer after a request refused for one of its partitions", () => {
  it("writes the next send to the partition whose batch was written", async () => {
    const plain = plainKafka("seq-partial", 2, 500);
    const topic = uniqueName("seq-partial");
    await broker.admin.ensureTopics([{ topic, partitions: 2, config: { "max.message.bytes": "2000" } }]);
    broker.track(topic);
    const producer = new KafkaJsProducer(plain);
    await producer.connect();
    try {
      const refused = producer.send(topic, [
        { key: "a", partition: 0, value: "first", headers: { eventId: "e1" } },
        { key: "b", partition: 1, value: "x".repeat(5000), headers: { eventId: "e2" } },
      ]);
      await expect(refused).rejects.toMatchObject({ code: "KAFKA_RECORD_TOO_LARGE" });

      const [next] = await producer.send(topic, [
        { key: "a", partition: 0, value: "second", headers: { eventId: "e3" } },
      ]);

      const seen = await recordsOf(topic, ["first", "second"], 20_000);
      expect(next).toMatchObject({ partition: 0, offset: "1" });
      expect(seen.filter((r) => r.partition === 0).map((r) => r.value?.toString())).toEqual([
        "first",
        "second",
      ]);
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});

describe("idempotent producer sending to a missing topic", () => {
  it("keeps its kafkajs producer: nothing was produced", async () => {
    const plain = plainKafka("seq-missing", 1, 200);
    let created = 0;
    const make = plain.producer.bind(plain);
    plain.producer = ((config) => {
      created++;
      return make(config);
    }) as Kafka["producer"];
    const producer = new KafkaJsProducer(plain);
    await producer.connect();
    try {
      for (let i = 0; i < 3; i++) {
        const error = await producer
          .send(uniqueName("seq-missing"), [{ key: "k", value: "v" }])
          .catch((e) => e);
        expect(error).toMatchObject({ name: "KafkaClientError", code: "KAFKA_UNKNOWN_TOPIC" });
      }
      expect(created).toBe(1);
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});
