// Text through Avro: what UTF-8 cannot carry is refused on the way in and repaired on the way out,
// and real Vietnamese text (composed or not), emoji and invisible characters go through unchanged.
import type { ExternalIssuanceEvent, InvoiceEvent } from "@invoice/domain";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import type { InvoiceEventAvro } from "./invoice-event.ts";
import { invoiceEventFromWire, invoiceEventToWire } from "./invoice-event-mapping.ts";
import type { IssuanceEventAvro } from "./issuance-event.ts";
import { issuanceEventFromWire, issuanceEventToWire } from "./issuance-mapping.ts";
import { domainInvoiceEvents, domainIssuanceEvents, issuanceMeta } from "./mapping-fixtures.ts";
import { loadSchema } from "./schema-files.ts";

const issuanceType = avro.Type.forSchema(loadSchema("issuance-event") as avro.Schema);
const invoiceType = avro.Type.forSchema(loadSchema("invoice-event") as avro.Schema);

const requested = domainIssuanceEvents.find((e) => e.type === "InvoiceRequested") as Extract<
  ExternalIssuanceEvent,
  { type: "InvoiceRequested" }
>;
const named = (name: string): ExternalIssuanceEvent => ({
  ...requested,
  payload: { ...requested.payload, buyer: { ...requested.payload.buyer, name } },
});

describe("text through Avro", () => {
  it.each([
    ["precomposed Vietnamese", "Công ty TNHH Nguyễn Hoàng Phát"],
    ["combining marks (NFD)", "Nguye\u0302\u0303n Va\u0306n A"],
    ["an emoji", "Quán cà phê ☕ 😀"],
    ["a zero-width joiner and a BOM", "A\u200dB\ufeffC"],
  ])("a buyer name with %s arrives unchanged", (_what, name) => {
    const wire = issuanceEventToWire(named(name), issuanceMeta);
    if (!wire.ok) throw wire.error;
    const decoded = issuanceType.fromBuffer(issuanceType.toBuffer(wire.value)) as IssuanceEventAvro;
    const back = issuanceEventFromWire(decoded);
    if (!back.ok) throw back.error;
    expect(back.value.event).toEqual(named(name));
  });

  it.each([
    ["a lone high surrogate", "Công ty \ud800 A"],
    ["a lone low surrogate", "Công ty \udc00"],
    ["half an emoji cut by slice", "Quán 😀".slice(0, 6)],
  ])("a buyer name with %s is refused with its path, not rewritten by the encoder", (_what, name) => {
    expect(issuanceEventToWire(named(name), issuanceMeta)).toMatchObject({
      ok: false,
      error: { code: "INVALID_VALUE", path: "payload.buyer.name", retriable: false },
    });
  });

  it("a published message that quotes cut text goes out well-formed, the rest of it intact", () => {
    const [review, context] = domainInvoiceEvents.find(([e]) => e.type === "ReviewRequired") as [
      Extract<InvoiceEvent, { type: "ReviewRequired" }>,
      never,
    ];
    const event = { ...review, payload: { ...review.payload, message: `số "${"😀".slice(0, 1)}" sai` } };
    const wire = invoiceEventToWire(event, context);
    if (!wire.ok) throw wire.error;
    const decoded = invoiceType.fromBuffer(invoiceType.toBuffer(wire.value)) as InvoiceEventAvro;
    const back = invoiceEventFromWire(decoded);
    if (!back.ok) throw back.error;
    expect(back.value.event.payload).toEqual({ ...review.payload, message: 'số "\ufffd" sai' });
  });
});
