/** The topic catalog and schema registration against the real broker and registry. */
import { createAvroCodec, createKafkaJsClient, readSchemaId, silentLogger } from "@invoice/kafka";
import { stackEnv, uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { loadSchema, registerSchemas, topicCatalog, topicSpecs, valueSubject } from "../src/index.ts";

describe("topic catalog on the local stack", () => {
  it("creates the invoice topics with the partition counts of DESIGN.md section 3", async () => {
    const admin = createKafkaJsClient({
      brokers: stackEnv().kafkaBrokers,
      clientId: uniqueName("it"),
      logger: silentLogger,
    }).admin();
    await admin.connect();
    try {
      const specs = topicSpecs(topicCatalog());
      await admin.ensureTopics(specs);
      const described = await admin.describeTopics(specs.map((s) => s.topic));
      expect(Object.fromEntries(described.map((d) => [d.topic, d.partitions]))).toEqual({
        "invoice.issuance": 3,
        "invoice.issuance.retry": 3,
        "invoice.issuance.dlq": 3,
        "invoice.events": 3,
      });
    } finally {
      await admin.disconnect();
    }
  });

  it("registers every Avro value schema, idempotently, and encodes with the registered id", async () => {
    const codec = createAvroCodec({ url: stackEnv().schemaRegistryUrl });
    const catalog = topicCatalog();
    const first = await registerSchemas(codec, catalog);
    const second = await registerSchemas(codec, catalog);
    expect([...first.keys()].sort()).toEqual(
      [
        "commerce.invoice.requested",
        "commerce.payment.refunded",
        "commerce.payment.succeeded",
        "invoice.events",
        "invoice.issuance",
      ].sort(),
    );
    expect(second).toEqual(first);
    const id = first.get("invoice.issuance") ?? 0;
    expect(await codec.register(valueSubject("invoice.issuance"), loadSchema("issuance-event"))).toBe(id);
    const bytes = await codec.encode(id, {
      eventId: uniqueName("e"),
      orderId: "ORD-1",
      merchantId: "M-1",
      occurredAt: 1,
      type: "REPLAY_REQUESTED",
      source: "test",
      correlationId: null,
      payload: { "vn.invoice.issuance.ReplayRequested": { reason: "test", requestedBy: "ops" } },
    });
    expect(readSchemaId(bytes)).toBe(id);
  });
});
