// One wire contract (issue 7): every event that crosses invoice.issuance and every type the machine
// publishes round-trips domain -> wire -> Avro bytes (avsc, from the .avsc files) -> wire -> domain,
// and what cannot be mapped is refused with a typed reason.
import {
  DEFAULT_MERCHANT_POLICY,
  type IssuanceEvent as DomainEvent,
  type InvoiceEvent as DomainInvoiceEvent,
  decide,
  EXTERNAL_ISSUANCE_EVENT_TYPES,
  type OrderState,
} from "@invoice/domain";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import { EventMappingError } from "./event-mapping-error.ts";
import type { InvoiceEventAvro } from "./invoice-event.ts";
import {
  invoiceEventFromWire,
  invoiceEventToWire,
  PUBLISHED_TYPES,
  type PublishContext,
} from "./invoice-event-mapping.ts";
import type { IssuanceEventAvro } from "./issuance-event.ts";
import { issuanceEventFromWire, issuanceEventToWire } from "./issuance-mapping.ts";
import {
  domainInvoiceEvents,
  domainIssuanceEvents,
  issuanceMeta,
  issuedContext,
} from "./mapping-fixtures.ts";
import { loadSchema } from "./schema-files.ts";

const issuanceType = avro.Type.forSchema(loadSchema("issuance-event") as avro.Schema);
const invoiceType = avro.Type.forSchema(loadSchema("invoice-event") as avro.Schema);

function ok<T>(result: { ok: true; value: T } | { ok: false; error: EventMappingError }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Through the bytes, with no field the schema does not declare. */
function throughBytes<T>(type: avro.Type, value: T): T {
  const bad: string[] = [];
  expect(
    type.isValid(value, { noUndeclaredFields: true, errorHook: (path) => bad.push(path.join(".")) }),
  ).toBe(true);
  expect(bad).toEqual([]);
  return type.fromBuffer(type.toBuffer(value)) as T;
}

describe("invoice.issuance <-> the machine's events", () => {
  it("covers every event type that crosses Kafka", () => {
    expect(new Set(domainIssuanceEvents.map((e) => e.type))).toEqual(new Set(EXTERNAL_ISSUANCE_EVENT_TYPES));
  });

  it.each(domainIssuanceEvents.map((e) => [`${e.type} ${e.eventId}`, e] as const))(
    "%s round-trips",
    (_n, event) => {
      const wire = ok(issuanceEventToWire(event, issuanceMeta));
      const back = ok(issuanceEventFromWire(throughBytes(issuanceType, wire)));
      expect(back).toEqual({ event, meta: issuanceMeta });
    },
  );

  it("maps the wire's VAT categories and nulls into the domain's", () => {
    const [payment] = domainIssuanceEvents;
    const wire = ok(issuanceEventToWire(payment as DomainEvent & typeof payment, issuanceMeta));
    const lines = (wire.payload["vn.invoice.issuance.PaymentSucceeded"] as { lines: unknown[] }).lines;
    expect(lines).toMatchObject([
      { vatCategory: "10", reducedRateEligible: true, discountVnd: 0, unit: "ly" },
      { vatCategory: "10", reducedRateEligible: false, discountVnd: 50_000, unit: null },
      { vatCategory: "KHAC:3.5", reducedRateEligible: false },
    ]);
  });

  const paymentWire = () => ok(issuanceEventToWire(domainIssuanceEvents[0] as never, issuanceMeta));
  const refusal = (decoded: IssuanceEventAvro) => {
    const result = issuanceEventFromWire(decoded);
    if (result.ok) throw new Error("expected a refusal");
    expect(result.error).toBeInstanceOf(EventMappingError);
    expect(result.error.retriable).toBe(false);
    return result.error;
  };
  const withPayment = (patch: object) => {
    const wire = paymentWire();
    const p = wire.payload["vn.invoice.issuance.PaymentSucceeded"] as object;
    return { ...wire, payload: { "vn.invoice.issuance.PaymentSucceeded": { ...p, ...patch } } };
  };

  it("refuses what a newer producer wrote and this reader cannot act on", () => {
    expect(refusal({ ...paymentWire(), type: "UNKNOWN" })).toMatchObject({
      code: "UNKNOWN_SYMBOL",
      path: "type",
    });
    const buyer = withPayment({
      buyer: {
        ...(domainIssuanceEvents[0] as never as { payload: { buyer: object } }).payload.buyer,
        kind: "UNKNOWN",
        name: "X",
        taxCode: null,
        personalId: null,
        address: null,
        email: null,
        phone: null,
      },
    });
    expect(refusal(buyer)).toMatchObject({ code: "UNKNOWN_SYMBOL", path: "payload.buyer.kind" });
    const callback = ok(issuanceEventToWire(domainIssuanceEvents[6] as never, issuanceMeta));
    const unknownOutcome = {
      ...callback,
      payload: {
        "vn.invoice.issuance.ProviderCallback": {
          ...(callback.payload["vn.invoice.issuance.ProviderCallback"] as object),
          outcome: "UNKNOWN",
        },
      },
    };
    expect(refusal(unknownOutcome)).toMatchObject({ code: "UNKNOWN_SYMBOL", path: "payload.outcome" });
  });

  it("refuses a type/payload mismatch and values the domain cannot represent", () => {
    expect(refusal({ ...paymentWire(), type: "CLAIM_EXPIRED" })).toMatchObject({ code: "PAYLOAD_MISMATCH" });
    const line = {
      sku: "S",
      name: "N",
      unit: null,
      quantity: "1",
      unitPriceVnd: 1,
      discountVnd: 0,
      reducedRateEligible: false,
    };
    expect(refusal(withPayment({ lines: [{ ...line, vatCategory: "8" }] }))).toMatchObject({
      code: "INVALID_VALUE",
      path: "payload.lines[0].vatCategory",
    });
    expect(
      refusal(withPayment({ lines: [{ ...line, vatCategory: "5", reducedRateEligible: true }] })),
    ).toMatchObject({
      code: "INVALID_VALUE",
      path: "payload.lines[0].reducedRateEligible",
    });
  });

  it("refuses to put a line without SKU, a request without channel, or an internal event on the wire", () => {
    const [payment, requested] = domainIssuanceEvents as [DomainEvent, DomainEvent];
    const noSku = {
      ...payment,
      payload: {
        ...payment.payload,
        lines: [{ name: "N", quantity: "1", unitPriceVnd: 1, vatCategory: "VAT10" }],
      },
    };
    expect(issuanceEventToWire(noSku as never, issuanceMeta)).toMatchObject({
      ok: false,
      error: { code: "MISSING_FIELD", path: "payload.lines[0].sku" },
    });
    const noChannel = { ...requested, payload: { buyer: (requested.payload as { buyer: object }).buyer } };
    expect(issuanceEventToWire(noChannel as never, issuanceMeta)).toMatchObject({
      ok: false,
      error: { code: "MISSING_FIELD", path: "payload.channel" },
    });
    const internal = { ...payment, type: "WakeUp", payload: { reason: "recovery" } };
    expect(issuanceEventToWire(internal as never, issuanceMeta)).toMatchObject({
      ok: false,
      error: { code: "NOT_ON_THE_WIRE" },
    });
  });
});

describe("what the machine publishes <-> invoice.events", () => {
  it("covers every published type", () => {
    expect(new Set(domainInvoiceEvents.map(([e]) => e.type))).toEqual(new Set(Object.keys(PUBLISHED_TYPES)));
  });

  it.each(domainInvoiceEvents.map(([e, c]) => [`${e.type} ${e.eventId}`, e, c] as const))(
    "%s round-trips",
    (_n, event, context) => {
      const wire = ok(invoiceEventToWire(event, context));
      const back = ok(invoiceEventFromWire(throughBytes(invoiceType, wire)));
      expect(back).toEqual({ event, context });
    },
  );

  it("puts what only the issuer knows on INVOICE_ISSUED, and refuses without it", () => {
    const [issued] = domainInvoiceEvents.find(([e]) => e.type === "InvoiceIssued") as [
      DomainInvoiceEvent,
      unknown,
    ];
    const wire = ok(invoiceEventToWire(issued, issuedContext));
    expect(wire).toMatchObject({
      type: "INVOICE_ISSUED",
      invoiceId: "1234567890123456789",
      payload: {
        "vn.invoice.events.InvoiceIssued": {
          invoiceNo: "123",
          templateCode: "1",
          invoiceSeries: "C26TAA",
          invoiceDate: 20_527,
          buyerKind: "ANONYMOUS_RETAIL",
          lookupCode: "LK-9",
        },
      },
    });
    expect(invoiceEventToWire(issued, { invoiceId: "1" })).toMatchObject({
      ok: false,
      error: { code: "MISSING_FIELD", path: "context.issued" },
    });
  });

  it("carries the claim link on CLAIM_OPENED, null without one, and refuses a link to another claim", () => {
    const [opened, context] = domainInvoiceEvents.find(([e]) => e.type === "ClaimOpened") as [
      DomainInvoiceEvent & { type: "ClaimOpened" },
      PublishContext,
    ];
    const link = context.claimUrl as string;
    expect(link.endsWith(opened.payload.claimToken)).toBe(true);
    const wire = ok(invoiceEventToWire(opened, context));
    expect(wire.payload).toEqual({ "vn.invoice.events.ClaimOpened": { ...opened.payload, claimUrl: link } });
    const bare = ok(invoiceEventToWire(opened, { invoiceId: null }));
    expect(bare.payload).toEqual({ "vn.invoice.events.ClaimOpened": { ...opened.payload, claimUrl: null } });
    expect(ok(invoiceEventFromWire(throughBytes(invoiceType, bare)))).toEqual({
      event: opened,
      context: { invoiceId: null },
    });
    const other = "https://hoadon.example.vn/c/11111111-2222-4333-8444-555555555555";
    expect(invoiceEventToWire(opened, { invoiceId: null, claimUrl: other })).toMatchObject({
      ok: false,
      error: { code: "INVALID_VALUE", path: "context.claimUrl" },
    });
  });

  it("reads a ClaimOpened written before the claim link existed (BACKWARD), without a link", () => {
    const [opened, context] = domainInvoiceEvents.find(([e]) => e.type === "ClaimOpened") as [
      DomainInvoiceEvent,
      PublishContext,
    ];
    // The schema as it was before claimUrl: the same file without that one field.
    const previous = JSON.parse(JSON.stringify(loadSchema("invoice-event")), (key, value) =>
      key === "fields" && Array.isArray(value)
        ? value.filter((f: { name?: string }) => f.name !== "claimUrl")
        : value,
    );
    expect(JSON.stringify(previous)).not.toContain("claimUrl");
    const oldType = avro.Type.forSchema(previous as avro.Schema);
    const wire = ok(invoiceEventToWire(opened, context));
    const inner = wire.payload["vn.invoice.events.ClaimOpened"] as { claimUrl?: unknown };
    const { claimUrl: _dropped, ...oldInner } = inner;
    const oldBytes = oldType.toBuffer({ ...wire, payload: { "vn.invoice.events.ClaimOpened": oldInner } });
    const read = invoiceType.createResolver(oldType);
    const decoded = invoiceType.fromBuffer(oldBytes, read) as InvoiceEventAvro;
    expect(decoded.payload).toEqual({ "vn.invoice.events.ClaimOpened": { ...oldInner, claimUrl: null } });
    expect(ok(invoiceEventFromWire(decoded))).toEqual({ event: opened, context: { invoiceId: null } });
    // Decoded with the old writer's schema alone (what ingest does), the field is absent: no link either.
    const asWritten = oldType.fromBuffer(oldBytes) as InvoiceEventAvro;
    expect(ok(invoiceEventFromWire(asWritten)).context).toEqual({ invoiceId: null });
  });

  it("is read by a consumer still on the schema before the claim link (FORWARD): the link is skipped", () => {
    // Commerce (any language) may upgrade its reader after the issuer: Avro's resolution skips a
    // writer's field the reader does not know, so the new record reads as the old one.
    const [opened, context] = domainInvoiceEvents.find(([e]) => e.type === "ClaimOpened") as [
      DomainInvoiceEvent,
      PublishContext,
    ];
    const previous = JSON.parse(JSON.stringify(loadSchema("invoice-event")), (key, value) =>
      key === "fields" && Array.isArray(value)
        ? value.filter((f: { name?: string }) => f.name !== "claimUrl")
        : value,
    );
    const oldType = avro.Type.forSchema(previous as avro.Schema);
    const wire = ok(invoiceEventToWire(opened, context));
    const newBytes = invoiceType.toBuffer(wire);
    const decoded = oldType.fromBuffer(newBytes, oldType.createResolver(invoiceType)) as InvoiceEventAvro;
    const { claimUrl: _skipped, ...oldInner } = wire.payload["vn.invoice.events.ClaimOpened"] as {
      claimUrl?: unknown;
    };
    expect(decoded).toEqual({ ...wire, payload: { "vn.invoice.events.ClaimOpened": oldInner } });
  });

  it("refuses records of older writers without the invoice's identity, days no calendar has, and unknown types", () => {
    const [issued] = domainInvoiceEvents.find(([e]) => e.type === "InvoiceIssued") as [
      DomainInvoiceEvent,
      unknown,
    ];
    const wire = ok(invoiceEventToWire(issued, issuedContext));
    const inner = wire.payload["vn.invoice.events.InvoiceIssued"] as object;
    const old: InvoiceEventAvro = {
      ...wire,
      payload: { "vn.invoice.events.InvoiceIssued": { ...inner, invoiceSeq: null } },
    };
    expect(invoiceEventFromWire(old)).toMatchObject({
      ok: false,
      error: { code: "MISSING_FIELD", path: "payload.invoiceSeq" },
    });
    for (const invoiceDate of [2_000_000_000, -800_000]) {
      const farOff: InvoiceEventAvro = {
        ...wire,
        payload: { "vn.invoice.events.InvoiceIssued": { ...inner, invoiceDate } },
      };
      expect(invoiceEventFromWire(farOff)).toMatchObject({
        ok: false,
        error: { code: "INVALID_VALUE", path: "payload.invoiceDate" },
      });
    }
    expect(invoiceEventFromWire({ ...wire, type: "UNKNOWN" })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_SYMBOL" },
    });
  });

  it("names the late request itself on LATE_BUYER_REQUEST_RECORDED, also when a send's result raised it", () => {
    // The request arrives while the send is in flight: the case is raised when the send's result
    // comes back, so the causing event is the issuer's internal SendResult, not the request.
    const B = { kind: "company" as const, name: "Công ty B", taxCode: "0100109106", address: "Hà Nội" };
    const C = { kind: "company" as const, name: "Công ty C", taxCode: "0300588569", address: "TP.HCM" };
    const lines = [
      { sku: "S-1", name: "Áo", quantity: "1", unitPriceVnd: 1_000_000, vatCategory: "VAT10" as const },
    ];
    const T = Date.UTC(2026, 2, 15, 3);
    const envelope = { orderId: "O", merchantId: "M", occurredAt: T };
    const fresh = { claimToken: "11111111-2222-4333-8444-555555555555" };
    const pay = { ...envelope, eventId: "pay-1", type: "PaymentSucceeded" as const };
    let state = decide(
      undefined,
      { ...pay, payload: { paymentId: "P", amountVnd: 1_100_000, paidAt: T, lines, buyer: B } },
      T,
      DEFAULT_MERCHANT_POLICY,
      fresh,
    ).next;
    const request = {
      ...envelope,
      occurredAt: T + 1_000,
      eventId: "req-C",
      type: "InvoiceRequested" as const,
    };
    state = decide(
      state,
      { ...request, payload: { buyer: C, channel: "checkout" } },
      T + 1_000,
      DEFAULT_MERCHANT_POLICY,
      fresh,
    ).next;
    const attemptId = state?.invoices[0]?.attempts[0]?.attemptId as string;
    const result = { ...envelope, eventId: `${attemptId}:result`, type: "SendResult" as const };
    const d = decide(
      state,
      { ...result, payload: { attemptId, outcome: "issued", invoiceNo: "7" } },
      T + 2_000,
      DEFAULT_MERCHANT_POLICY,
      fresh,
    );
    const late = d.effects.flatMap((e) =>
      e.type === "PublishInvoiceEvent" && e.event.type === "ReviewRequired" ? [e.event] : [],
    );
    expect(late.map((e) => e.payload.code)).toEqual(["LATE_BUYER_CHANGE"]);
    const wire = ok(invoiceEventToWire(late[0] as DomainInvoiceEvent, { invoiceId: "42" }));
    expect(wire).toMatchObject({
      type: "LATE_BUYER_REQUEST_RECORDED",
      causationEventId: `${attemptId}:result`,
      payload: { "vn.invoice.events.LateBuyerRequestRecorded": { requestEventId: "req-C" } },
    });
    const back = ok(invoiceEventFromWire(throughBytes(invoiceType, wire)));
    expect(back.event).toEqual(late[0]);
  });

  it("maps every event the machine publishes in a real order's life", () => {
    // Paid without buyer (claim), expired at the deadline, the send refused then resent and issued,
    // refunded in part (adjustment), a late request (human), then refunded in full of the rest.
    const lines = [
      { sku: "S-1", name: "Áo", quantity: "1", unitPriceVnd: 1_000_000, vatCategory: "VAT10" as const },
    ];
    const T = Date.UTC(2026, 2, 15, 3);
    let state: OrderState | undefined;
    const published: DomainInvoiceEvent[] = [];
    let n = 0;
    const apply = (type: string, payload: object, now: number) => {
      const event = {
        eventId: `x-${++n}`,
        orderId: "O",
        merchantId: "M",
        occurredAt: now,
        type,
        payload,
      } as DomainEvent;
      const d = decide(state, event, now, DEFAULT_MERCHANT_POLICY, {
        claimToken: "11111111-2222-4333-8444-555555555555",
      });
      state = d.next;
      for (const e of d.effects) if (e.type === "PublishInvoiceEvent") published.push(e.event);
    };
    const attempt = (seq: number) => state?.invoices.find((i) => i.seq === seq)?.attempts.at(-1)?.attemptId;
    const day = 86_400_000;
    apply("PaymentSucceeded", { paymentId: "P", amountVnd: 1_100_000, paidAt: T, lines }, T);
    apply("ClaimExpired", { claimToken: state?.claim?.token }, T + day);
    apply("SendResult", { attemptId: attempt(1), outcome: "rejected", errorCode: "X" }, T + day);
    apply("ReplayRequested", { reason: "fixed", requestedBy: "ops" }, T + day);
    apply("SendResult", { attemptId: attempt(1), outcome: "issued", invoiceNo: "7" }, T + day);
    apply("PaymentRefunded", { refundId: "R1", amountVnd: 100_000, full: false }, T + day);
    apply("InvoiceRequested", { buyer: { kind: "individual", name: "Lê B" }, channel: "checkout" }, T + day);
    apply("PaymentRefunded", { refundId: "R2", amountVnd: 1_000_000, full: true }, T + day);
    expect(new Set(published.map((e) => e.type))).toEqual(
      new Set([
        "ClaimOpened",
        "ClaimExpired",
        "InvoiceFailed",
        "InvoiceIssued",
        "CorrectionStarted",
        "ReviewRequired",
      ]),
    );
    for (const event of published) {
      const context = event.type === "InvoiceIssued" ? issuedContext : { invoiceId: "42" };
      const back = ok(
        invoiceEventFromWire(throughBytes(invoiceType, ok(invoiceEventToWire(event, context)))),
      );
      expect(back).toEqual({ event, context });
    }
  });
});
