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
        "invoice.ingest.dlq": 3,
      });
    } finally {
      await admin.disconnect();
    }
  });

  it("registers only the platform's own schemas unless asked to stand in for commerce", async () => {
    const codec = createAvroCodec({ url: stackEnv().schemaRegistryUrl });
    const ids = await registerSchemas(codec, topicCatalog());
    expect([...ids.keys()].sort()).toEqual(["invoice.events", "invoice.issuance"]);
  });

  it("registers every Avro value schema, idempotently, and encodes with the registered id", async () => {
    const codec = createAvroCodec({ url: stackEnv().schemaRegistryUrl });
    const catalog = topicCatalog();
    const first = await registerSchemas(codec, catalog, { includeCommerce: true });
    const second = await registerSchemas(codec, catalog, { includeCommerce: true });
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

  it("sets every subject to BACKWARD before registering, so the registry refuses an incompatible version", async () => {
    const url = stackEnv().schemaRegistryUrl;
    const codec = createAvroCodec({ url });
    const catalog = uniqueCommerceCatalog();
    const paid = valueSubject(catalog.commercePaymentSucceeded.topic);
    // Commerce got there first, registering through the REST API without a rule (Apicurio: NONE).
    const preRegistered = await fetch(`${url}/subjects/${encodeURIComponent(paid)}/versions`, {
      method: "POST",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ schema: JSON.stringify(loadSchema("commerce-payment-succeeded")) }),
    });
    expect(preRegistered.status).toBe(200);
    expect(await compatibilityOf(url, paid)).toBe("NONE");

    const ids = await registerSchemas(codec, catalog, { includeCommerce: true });

    for (const topic of ids.keys())
      expect(await compatibilityOf(url, valueSubject(topic)), topic).toBe("BACKWARD");
    const requested = valueSubject(catalog.commerceInvoiceRequested.topic);
    for (const [subject, name] of [
      [paid, "commerce-payment-succeeded"],
      [requested, "commerce-invoice-requested"],
    ] as const) {
      const schema = loadSchema(name) as { fields: object[] };
      const withRequiredField = {
        ...schema,
        fields: [...schema.fields, { name: "mandatoryNew", type: "string" }],
      };
      await expect(codec.register(subject, withRequiredField), subject).rejects.toMatchObject({
        code: "SCHEMA_REJECTED",
      });
    }
  });

  it("keeps a stricter level an operator chose, and refuses a level that does not protect old data", async () => {
    const url = stackEnv().schemaRegistryUrl;
    const codec = createAvroCodec({ url });
    const catalog = uniqueCommerceCatalog();
    const strict = valueSubject(catalog.commercePaymentSucceeded.topic);
    await codec.setCompatibility(strict, "FULL_TRANSITIVE");
    const ids = await registerSchemas(codec, catalog, { includeCommerce: true });
    expect(ids.has(catalog.commercePaymentSucceeded.topic)).toBe(true);
    expect(await compatibilityOf(url, strict)).toBe("FULL_TRANSITIVE");

    const forward = topicCatalog({ commercePaymentRefunded: uniqueName("commerce.payment.refunded") });
    await codec.setCompatibility(valueSubject(forward.commercePaymentRefunded.topic), "FORWARD");
    await expect(registerSchemas(codec, forward, { includeCommerce: true })).rejects.toMatchObject({
      code: "SCHEMA_REJECTED",
      message: expect.stringContaining("FORWARD"),
    });
  });
});

/** Commerce topics no other test uses: incompatible versions are tried there, never on real subjects. */
function uniqueCommerceCatalog() {
  return topicCatalog({
    commercePaymentSucceeded: uniqueName("commerce.payment.succeeded"),
    commerceInvoiceRequested: uniqueName("commerce.invoice.requested"),
    commercePaymentRefunded: uniqueName("commerce.payment.refunded"),
  });
}

async function compatibilityOf(url: string, subject: string): Promise<unknown> {
  const response = await fetch(`${url}/config/${encodeURIComponent(subject)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { compatibilityLevel?: unknown }).compatibilityLevel;
}
