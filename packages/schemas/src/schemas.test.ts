import avro from "avsc";
import { describe, expect, it } from "vitest";
import {
  sampleCommerceInvoiceRequested,
  sampleCommercePaymentRefunded,
  sampleCommercePaymentSucceeded,
  sampleInvoiceEvents,
  sampleIssuanceEvents,
} from "./fixtures.ts";
import { INVOICE_PAYLOAD_RECORD, invoiceEventToAvro } from "./invoice-event.ts";
import {
  ISSUANCE_PAYLOAD_RECORD,
  type IssuanceEventAvro,
  issuanceEventFromAvro,
  issuanceEventToAvro,
  UnsupportedEventError,
} from "./issuance-event.ts";
import { loadSchema, SCHEMA_NAMES, type SchemaName } from "./schema-files.ts";

const typeOf = (name: SchemaName) => avro.Type.forSchema(loadSchema(name) as avro.Schema);

/** Valid, with no field the schema does not declare: the TS type and the .avsc agree. */
function expectExactlyValid(type: avro.Type, value: unknown): void {
  const bad: string[] = [];
  const ok = type.isValid(value, { noUndeclaredFields: true, errorHook: (path) => bad.push(path.join(".")) });
  expect(bad).toEqual([]);
  expect(ok).toBe(true);
}

describe("Avro schemas", () => {
  it("all parse", () => {
    for (const name of SCHEMA_NAMES) expect(() => typeOf(name)).not.toThrow();
  });

  it("IssuanceEvent covers every event type with a sample that round-trips", () => {
    const type = typeOf("issuance-event");
    expect(new Set(sampleIssuanceEvents.map((e) => e.type))).toEqual(
      new Set(Object.keys(ISSUANCE_PAYLOAD_RECORD)),
    );
    for (const event of sampleIssuanceEvents) {
      const wire = issuanceEventToAvro(event);
      expectExactlyValid(type, wire);
      const decoded = issuanceEventFromAvro(type.fromBuffer(type.toBuffer(wire)) as IssuanceEventAvro);
      expect(decoded).toEqual(event);
    }
  });

  it("InvoiceEvent covers every outcome type", () => {
    const type = typeOf("invoice-event");
    expect(new Set(sampleInvoiceEvents.map((e) => e.type))).toEqual(
      new Set(Object.keys(INVOICE_PAYLOAD_RECORD)),
    );
    for (const event of sampleInvoiceEvents) expectExactlyValid(type, invoiceEventToAvro(event));
  });

  it("commerce input samples match their schemas", () => {
    expectExactlyValid(typeOf("commerce-payment-succeeded"), sampleCommercePaymentSucceeded);
    expectExactlyValid(typeOf("commerce-invoice-requested"), sampleCommerceInvoiceRequested);
    expectExactlyValid(typeOf("commerce-payment-refunded"), sampleCommercePaymentRefunded);
  });

  it("rejects a value missing a required field or with a wrong type", () => {
    const type = typeOf("commerce-payment-refunded");
    const { refundId: _omit, ...missing } = sampleCommercePaymentRefunded;
    expect(type.isValid(missing)).toBe(false);
    expect(type.isValid({ ...sampleCommercePaymentRefunded, amount: "12" })).toBe(false);
  });

  it("keeps Vietnamese text intact through Avro", () => {
    const type = typeOf("issuance-event");
    const event = sampleIssuanceEvents[1];
    if (!event) throw new Error("fixture missing");
    const back = issuanceEventFromAvro(
      type.fromBuffer(type.toBuffer(issuanceEventToAvro(event))) as IssuanceEventAvro,
    );
    expect(JSON.stringify(back)).toContain("Công ty TNHH Hóa Đơn Việt");
  });
});

describe("issuanceEventFromAvro", () => {
  const [first] = sampleIssuanceEvents;
  if (!first) throw new Error("fixture missing");
  const wire = issuanceEventToAvro(first);

  it("refuses a type/payload mismatch", () => {
    expect(() => issuanceEventFromAvro({ ...wire, type: "CLAIM_EXPIRED" })).toThrow(UnsupportedEventError);
  });

  it("refuses a type it does not know (a newer producer's type decoded as UNKNOWN)", () => {
    expect(() => issuanceEventFromAvro({ ...wire, type: "UNKNOWN" })).toThrow(
      /unsupported issuance event type/,
    );
  });
});
