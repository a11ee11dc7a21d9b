import {
  type Consumer,
  createKafkaJsClient,
  type IncomingRecord,
  type KafkaClient,
  silentLogger,
} from "@invoice/kafka";
import { stackEnv, uniqueName } from "@invoice/testing";

export function testClient(): KafkaClient {
  return createKafkaJsClient({
    brokers: stackEnv().kafkaBrokers,
    clientId: uniqueName("it"),
    logger: silentLogger,
  });
}

/** Starts a consumer that appends every record it sees and commits as it goes. */
export async function collectingConsumer(
  client: KafkaClient,
  groupId: string,
  topics: string[],
  sink: IncomingRecord[],
  options: { commit?: boolean } = {},
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
