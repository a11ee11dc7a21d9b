import { describe, expect, it } from "vitest";
import { parseWebhookEvent } from "./webhook-events.ts";

const base = {
  eventId: "evt_1",
  occurredAt: "2026-12-01T10:00:00+07:00",
  merchantId: "M-1",
  orderId: "ORD-1",
};

describe("webhook events", () => {
  it("normalises an invoice request: NFC, whitespace, full-width tax code digits", () => {
    const parsed = parseWebhookEvent(
      {
        ...base,
        type: "invoice.requested",
        data: {
          buyer: { kind: "individual", name: "Nguye\u0302\u0303n  Văn\tA", taxCode: "０１００１０９１０６" },
        },
      },
      "merchant",
    );
    expect(parsed).toMatchObject({
      ok: true,
      event: {
        type: "INVOICE_REQUESTED",
        occurredAt: Date.parse("2026-12-01T03:00:00Z"),
        payload: {
          buyer: { kind: "INDIVIDUAL", name: "Nguyễn Văn A", taxCode: "0100109106" },
          channel: "merchant-webhook",
        },
      },
    });
  });

  it("derives the eventId from route, merchant and the sender's id: stable, and distinct across merchants", () => {
    const one = parseWebhookEvent(
      { ...base, type: "payment.refunded", data: { refundId: "R", amountVnd: 1, full: true } },
      "internal",
    );
    const again = parseWebhookEvent(
      { ...base, type: "payment.refunded", data: { refundId: "R", amountVnd: 1, full: true } },
      "internal",
    );
    const other = parseWebhookEvent(
      {
        ...base,
        merchantId: "M-2",
        type: "payment.refunded",
        data: { refundId: "R", amountVnd: 1, full: true },
      },
      "internal",
    );
    const merchantRoute = parseWebhookEvent(
      { ...base, type: "payment.refunded", data: { refundId: "R", amountVnd: 1, full: true } },
      "merchant",
    );
    if (!one.ok || !again.ok || !other.ok || !merchantRoute.ok) throw new Error("expected ok");
    expect(one.event.eventId).toBe(again.event.eventId);
    expect(one.event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set([one.event.eventId, other.event.eventId, merchantRoute.event.eventId]).size).toBe(3);
  });

  it("names every field path of a violation", () => {
    const parsed = parseWebhookEvent(
      {
        ...base,
        occurredAt: "yesterday",
        type: "payment.succeeded",
        data: {
          paymentId: "P",
          amountVnd: 1.5,
          lines: [{ sku: "S", name: "", quantity: "-1", unitPriceVnd: 1, vatCategory: "8" }],
        },
      },
      "internal",
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok || parsed.status !== 400) throw new Error("expected a 400");
    expect(parsed.errors.map((e) => e.path)).toEqual(["occurredAt"]);
    const data = parseWebhookEvent(
      {
        ...base,
        type: "payment.succeeded",
        data: {
          paymentId: "P",
          amountVnd: 1.5,
          lines: [{ sku: "S", name: "", quantity: "-1", unitPriceVnd: 1, vatCategory: "8" }],
        },
      },
      "internal",
    );
    if (data.ok || data.status !== 400) throw new Error("expected a 400");
    expect([...new Set(data.errors.map((e) => e.path))].sort()).toEqual(
      ["data.amountVnd", "data.lines.0.name", "data.lines.0.quantity", "data.lines.0.vatCategory"].sort(),
    );
  });

  it("422 for a type the route does not take, even with a broken envelope", () => {
    expect(parseWebhookEvent({ type: "order.shipped" }, "internal")).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(parseWebhookEvent({ ...base, type: "provider.callback", data: {} }, "merchant")).toMatchObject({
      status: 422,
    });
    expect(parseWebhookEvent({ ...base, data: {} }, "merchant")).toMatchObject({ status: 400 });
  });

  it("a company buyer needs a valid tax code and an address (the domain's rules)", () => {
    const parsed = parseWebhookEvent(
      {
        ...base,
        type: "invoice.requested",
        data: { buyer: { kind: "company", name: "Co", taxCode: "0100109106" } },
      },
      "merchant",
    );
    expect(parsed).toMatchObject({
      ok: false,
      errors: [{ path: "data.buyer.address", message: "ADDRESS_REQUIRED" }],
    });
  });
});
