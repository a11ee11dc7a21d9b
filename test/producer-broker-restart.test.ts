/**
 * A send while the broker is gone fails *retriably*, so the issuer's retries (and the processing
 * layer's stall) wait the outage out instead of dead-lettering the record — the chaos Kafka restart
 * found a send failing as kafkajs' NonRetriable(ConnectionError) and an issued order's record in the
 * DLQ. A broker of the test's own (services/ingest/test/private-broker.ts), never the shared one.
 */
import { createKafkaJsClient, KafkaClientError, silentLogger } from "@invoice/kafka";
import { uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateBroker, type PrivateBroker } from "../services/ingest/test/private-broker.ts";

let broker: PrivateBroker;

beforeAll(async () => {
  broker = await createPrivateBroker();
  await broker.start();
}, 180_000);

afterAll(async () => {
  await broker?.remove();
});

// Two broker starts on a loaded 2-core machine, and kafkajs' own retries while it is gone.
const TEST_TIMEOUT_MS = 300_000;

describe("producer across a broker restart", () => {
  it(
    "a send while the broker is down fails retriably; one after it returns succeeds",
    async () => {
      const kafka = createKafkaJsClient({
        brokers: broker.brokers,
        clientId: uniqueName("restart"),
        logger: silentLogger,
        connectionTimeoutMs: 1_000,
      });
      const topic = uniqueName("restart.topic");
      await waitFor(
        async () => {
          const admin = kafka.admin();
          try {
            await admin.connect();
            await admin.ensureTopics([{ topic, partitions: 1 }]);
            return true;
          } finally {
            await admin.disconnect().catch(() => undefined);
          }
        },
        { timeoutMs: 120_000, intervalMs: 1_000, description: "a topic on the private broker" },
      );
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send(topic, [{ key: "before", value: Buffer.from("1") }]);
        await broker.kill();
        const error = await producer.send(topic, [{ key: "during", value: Buffer.from("2") }]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(KafkaClientError);
        expect(error).toMatchObject({ code: "KAFKA_CONNECTION", retriable: true });

        await broker.start();
        const sent = await waitFor(
          () =>
            producer.send(topic, [{ key: "after", value: Buffer.from("3") }]).then(
              (metadata) => metadata,
              () => undefined,
            ),
          { timeoutMs: 120_000, intervalMs: 1_000, description: "a send after the broker returned" },
        );
        expect(sent[0]?.offset).toBeDefined();
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
