import type { IncomingRecord } from "@invoice/kafka";
import {
  type BrokerFixture,
  collectingConsumer,
  testClient,
  untilCommittedToEnd,
} from "@invoice/kafka/testing";
import { createLogger } from "@invoice/observability";
import {
  type Delivery,
  type Disposition,
  done,
  RecordProcessor,
  type RecordProcessorOptions,
} from "@invoice/processing";
import { uniqueName } from "@invoice/testing";

export const FAST_GROUP = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 500,
  rebalanceTimeoutMs: 10_000,
  maxWaitTimeMs: 200,
};

export const silent = createLogger({ service: "processing-test", level: "silent" });

export interface Harness<T> {
  processor: RecordProcessor<T>;
  fatal: Error[];
}

/** A processor of a test group over `topics`, started, with a DLQ (and retry topic when given). */
export async function startProcessor<T = Buffer | null>(
  broker: BrokerFixture,
  options: {
    groupId: string;
    topics: string[];
    deadLetterTopic: string;
    retryTopic?: string;
    handle: (batch: readonly Delivery<T>[]) => Promise<Disposition[]>;
    decode?: (record: IncomingRecord) => T | Promise<T>;
    limits?: RecordProcessorOptions<T>["limits"];
    consumer?: RecordProcessorOptions<T>["consumer"];
  },
): Promise<Harness<T>> {
  const fatal: Error[] = [];
  const processor = new RecordProcessor<T>({
    name: "test",
    consumer: options.consumer ?? testClient().consumer({ groupId: options.groupId, ...FAST_GROUP }),
    producer: broker.producer,
    topics: options.topics,
    fromBeginning: true,
    decode: options.decode ?? ((record) => record.value as T),
    handle: options.handle,
    retryTopic: options.retryTopic,
    deadLetterTopic: options.deadLetterTopic,
    logger: silent,
    onFatal: (error) => fatal.push(error),
    limits: { commitIntervalMs: 100, lingerMs: 2, ...options.limits },
  });
  await processor.start();
  return { processor, fatal };
}

/**
 * Runs a fresh processor of the group until it committed to the end of `topics`, and returns the
 * offsets it was handed (what a restart gets again).
 */
export async function processRestToEnd(
  broker: BrokerFixture,
  groupId: string,
  topics: string[],
  deadLetterTopic: string,
): Promise<string[]> {
  const offsets: string[] = [];
  const { processor } = await startProcessor(broker, {
    groupId,
    topics,
    deadLetterTopic,
    handle: async (batch) => {
      offsets.push(...batch.map((d) => d.record.offset));
      return batch.map(() => done());
    },
  });
  try {
    await untilCommittedToEnd(broker.admin, groupId, topics);
  } finally {
    await processor.stop();
  }
  return offsets;
}

/** Reads every record of a topic (e.g. the DLQ) into `sink` with a throwaway group. */
export async function readTopic(broker: BrokerFixture, topic: string, sink: IncomingRecord[]) {
  return collectingConsumer(broker.client, uniqueName("reader"), [topic], sink);
}

/**
 * Simulated handler work (a slow provider call) or the window of a "nothing happens" check, each
 * commented where used; never a wait for something to happen (that is waitFor).
 */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function textOf(delivery: Delivery<unknown>): string {
  return delivery.record.value?.toString("utf8") ?? "<null>";
}
