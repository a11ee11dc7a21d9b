/**
 * The wire contract against the real registry: the mapped samples of every event type, encoded with
 * the registered schema in the Confluent wire format and decoded again by the registry's id, come
 * back as the same domain events. Unique subjects: nothing here touches the platform's own.
 */
import { createAvroCodec, readSchemaId } from "@invoice/kafka";
import { stackEnv, uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import type { InvoiceEventAvro } from "../src/invoice-event.ts";
import { invoiceEventFromWire, invoiceEventToWire } from "../src/invoice-event-mapping.ts";
import type { IssuanceEventAvro } from "../src/issuance-event.ts";
import { issuanceEventFromWire, issuanceEventToWire } from "../src/issuance-mapping.ts";
import { domainInvoiceEvents, domainIssuanceEvents, issuanceMeta } from "../src/mapping-fixtures.ts";
import { loadSchema } from "../src/schema-files.ts";

function ok<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

async function registered(name: "issuance-event" | "invoice-event") {
  const codec = createAvroCodec({ url: stackEnv().schemaRegistryUrl });
  const subject = `${uniqueName(`mapping.${name}`)}-value`;
  await codec.setCompatibility(subject, "BACKWARD");
  const id = await codec.register(subject, loadSchema(name));
  return { codec, id };
}

describe("the event mapping through the registry on the stack", () => {
  it("every invoice.issuance event type: encoded with the registered id, decoded, mapped back", async () => {
    const { codec, id } = await registered("issuance-event");
    for (const event of domainIssuanceEvents) {
      const bytes = await codec.encode(id, ok(issuanceEventToWire(event, issuanceMeta)));
      expect(readSchemaId(bytes)).toBe(id);
      const decoded = await codec.decode<IssuanceEventAvro>(bytes);
      expect(ok(issuanceEventFromWire(decoded.value)), event.eventId).toEqual({ event, meta: issuanceMeta });
    }
  });

  it("every type the machine publishes: encoded with the registered id, decoded, mapped back", async () => {
    const { codec, id } = await registered("invoice-event");
    for (const [event, context] of domainInvoiceEvents) {
      const bytes = await codec.encode(id, ok(invoiceEventToWire(event, context)));
      expect(readSchemaId(bytes)).toBe(id);
      const decoded = await codec.decode<InvoiceEventAvro>(bytes);
      expect(ok(invoiceEventFromWire(decoded.value)), event.eventId).toEqual({ event, context });
    }
  });
});
