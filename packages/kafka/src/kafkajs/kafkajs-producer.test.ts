/**
 * KafkaJsProducer's bookkeeping of its kafkajs producers (the replacement after a failed request,
 * disconnect) against a fake kafkajs whose calls the test resolves by hand. The fake keeps kafkajs'
 * connection states: a send while disconnecting fails for good, a connect that ends after a
 * disconnect leaves the producer connected (kafkajs sets CONNECTED once its cluster is connected).
 */
import type { Kafka, Message, ProducerConfig } from "kafkajs";
import { describe, expect, it } from "vitest";
import { KafkaJsProducer } from "./kafkajs-producer.ts";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Status = "disconnected" | "connected" | "disconnecting";

interface SendCall {
  topic: string;
  values: string[];
  answer: Deferred<Array<{ topicName: string; partition: number; baseOffset: string }>>;
}

class FakeProducer {
  status: Status = "disconnected";
  connects: Array<Deferred<void>> = [];
  sends: SendCall[] = [];
  /** When false, connect() waits for the test to settle `connects.at(-1)`. */
  autoConnect = true;

  constructor(readonly config: ProducerConfig) {}

  async connect(): Promise<void> {
    const done = deferred<void>();
    this.connects.push(done);
    if (this.autoConnect) done.resolve();
    await done.promise;
    this.status = "connected";
  }

  async disconnect(): Promise<void> {
    this.status = "disconnecting";
    await Promise.resolve();
    this.status = "disconnected";
  }

  async send({ topic, messages }: { topic: string; messages: Message[] }) {
    if (this.status === "disconnecting")
      throw Object.assign(new Error("The producer is disconnecting"), { name: "KafkaJSNonRetriableError" });
    if (this.status === "disconnected")
      throw Object.assign(new Error("The producer is disconnected"), {
        name: "KafkaJSError",
        retriable: true,
      });
    const partitioner = (this.config.createPartitioner as NonNullable<ProducerConfig["createPartitioner"]>)();
    for (const message of messages)
      partitioner({ topic, partitionMetadata: [{ partitionId: 0 }] as never, message });
    const answer = deferred<Array<{ topicName: string; partition: number; baseOffset: string }>>();
    this.sends.push({ topic, values: messages.map((m) => String(m.value)), answer });
    return answer.promise;
  }
}

function fakeKafka() {
  const producers: FakeProducer[] = [];
  const kafka = {
    producer: (config: ProducerConfig) => {
      const producer = new FakeProducer(config);
      producers.push(producer);
      return producer;
    },
  } as unknown as Kafka;
  return { kafka, producers };
}

const connectionError = () =>
  Object.assign(new Error("Connection closed"), { name: "KafkaJSConnectionError" });
const ok = (topic: string) => [{ topicName: topic, partition: 0, baseOffset: "0" }];
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A send to topic "a" that `failing`'s broker connection drops: rejected as a retriable connection error. */
async function sendLostToConnection(producer: KafkaJsProducer, failing: FakeProducer): Promise<void> {
  const sent = producer.send("a", [{ key: "k", value: "1" }]);
  await settle();
  failing.sends.at(-1)?.answer.reject(connectionError());
  await expect(sent).rejects.toMatchObject({ code: "KAFKA_CONNECTION", retriable: true });
}

describe("KafkaJsProducer and its kafkajs producers", () => {
  it("replaces the producer after a failed request and disconnects the old one", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    await sendLostToConnection(producer, producers[0] as FakeProducer);
    const second = producer.send("a", [{ key: "k", value: "2" }]);
    await settle();
    expect(producers).toHaveLength(2);
    producers[1]?.sends[0]?.answer.resolve(ok("a"));
    await expect(second).resolves.toHaveLength(1);
    expect(producers[0]?.status).toBe("disconnected");
    await producer.disconnect();
    expect(producers.map((p) => p.status)).toEqual(["disconnected", "disconnected"]);
  });

  it("a send made while another topic's request fails is made on a connected producer", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    const first = producer.send("a", [{ key: "k", value: "1" }]);
    await settle();
    // The failure and a send to another topic in the same turn of the event loop: the send may
    // still take the old producer, which must then stay connected until its request is answered.
    producers[0]?.sends[0]?.answer.reject(connectionError());
    const other = producer.send("b", [{ key: "k", value: "2" }]);
    other.catch(() => undefined);
    await expect(first).rejects.toMatchObject({ code: "KAFKA_CONNECTION" });
    await settle();
    const taken = producers.flatMap((p) => p.sends).find((send) => send.topic === "b");
    taken?.answer.resolve(ok("b"));
    await expect(other).resolves.toHaveLength(1);
    await settle();
    expect(producers[0]?.status).toBe("disconnected");
    await producer.disconnect();
    expect(producers.map((p) => p.status)).toEqual(producers.map(() => "disconnected"));
  });

  it("sends queued when disconnect() is called do not connect a producer again", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    const inFlight = producer.send("a", [{ key: "k", value: "1" }]);
    const queued = producer.send("a", [{ key: "k", value: "2" }]);
    queued.catch(() => undefined);
    await settle();
    const closing = producer.disconnect();
    producers[0]?.sends[0]?.answer.reject(connectionError());
    await closing;
    await expect(inFlight).rejects.toMatchObject({ name: "KafkaClientError" });
    await settle();
    expect(producers.map((p) => p.status)).toEqual(producers.map(() => "disconnected"));
    expect(producers.flatMap((p) => p.sends.map((send) => send.values[0]))).toEqual(["1"]);
    await expect(queued).rejects.toMatchObject({ name: "KafkaClientError" });
  });

  it("a send after disconnect() is refused and connects nothing", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    await producer.disconnect();
    const late = producer.send("a", [{ key: "k", value: "1" }]);
    late.catch(() => undefined);
    await settle();
    expect(producers.map((p) => p.status)).toEqual(producers.map(() => "disconnected"));
    expect(producers.reduce((n, p) => n + p.connects.length, 0)).toBe(1);
    await expect(late).rejects.toMatchObject({ name: "KafkaClientError", retriable: true });
  });

  it("disconnect() while a replacement is connecting leaves no producer connected", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    await sendLostToConnection(producer, producers[0] as FakeProducer);
    const replacement = producers[1] as FakeProducer;
    replacement.autoConnect = false;
    const waiting = producer.send("a", [{ key: "k", value: "2" }]);
    await settle();
    expect(replacement.connects).toHaveLength(1);
    waiting.catch(() => undefined);
    await producer.disconnect();
    replacement.connects[0]?.resolve();
    await settle();
    expect(producers.map((p) => p.status)).toEqual(producers.map(() => "disconnected"));
    expect(replacement.sends).toEqual([]);
    await expect(waiting).rejects.toMatchObject({ name: "KafkaClientError" });
  });

  it("connect() again after a disconnect() that interrupted a connect keeps the producer connected", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    const first = producers[0] as FakeProducer;
    first.autoConnect = false;
    const opening = producer.connect();
    await settle();
    await producer.disconnect(); // not connected yet: nothing to do
    first.connects[0]?.resolve();
    await opening;
    first.autoConnect = false;
    // A failure, a replacement connecting, disconnect(), connect() again.
    await sendLostToConnection(producer, first);
    const replacement = producers[1] as FakeProducer;
    replacement.autoConnect = false;
    const waiting = producer.send("a", [{ key: "k", value: "2" }]);
    waiting.catch(() => undefined);
    await settle();
    await producer.disconnect();
    const reopening = producer.connect();
    for (const connect of replacement.connects) connect.resolve();
    await reopening;
    await settle();
    expect(replacement.status).toBe("connected");
    const again = producer.send("a", [{ key: "k", value: "3" }]);
    await settle();
    replacement.sends.at(-1)?.answer.resolve(ok("a"));
    await expect(again).resolves.toHaveLength(1);
    await producer.disconnect();
  });

  it("a replacement whose connect fails (broker still down) is connected by the next send", async () => {
    const { kafka, producers } = fakeKafka();
    const producer = new KafkaJsProducer(kafka);
    await producer.connect();
    await sendLostToConnection(producer, producers[0] as FakeProducer);
    const replacement = producers[1] as FakeProducer;
    replacement.autoConnect = false;
    const down = producer.send("a", [{ key: "k", value: "2" }]);
    await settle();
    replacement.connects[0]?.reject(connectionError());
    await expect(down).rejects.toMatchObject({ code: "KAFKA_CONNECTION", retriable: true });
    replacement.autoConnect = true;
    const back = producer.send("a", [{ key: "k", value: "3" }]);
    await settle();
    expect(producers).toHaveLength(2);
    replacement.sends[0]?.answer.resolve(ok("a"));
    await expect(back).resolves.toHaveLength(1);
    await producer.disconnect();
    expect(producers.map((p) => p.status)).toEqual(["disconnected", "disconnected"]);
  });
});
