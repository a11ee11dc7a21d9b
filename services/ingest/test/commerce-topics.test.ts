/**
 * The commerce Avro topics against the real broker and registry: a record written with an older
 * registered schema version decodes through the reader schema, and every kind of poison record reaches
 * the ingest DLQ with its reason, original position, key and bytes, while the good records around it
 * go through in order.
 */
import { loadSchema, valueSubject } from "@invoice/schemas";
import { uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { codec, collect, decodeIssuance, kafkaClient, useIngest } from "./support.ts";

const context = useIngest();

/** Version 1 of commerce's PaymentSucceeded: no currency, no invoiceRequest, items without discounts. */
function paymentSucceededV1() {
  const current = loadSchema("commerce-payment-succeeded") as {
    fields: Array<{ name: string; type: unknown }>;
  };
  const fields = current.fields
    .filter((f) => f.name !== "currency" && f.name !== "invoiceRequest")
    .map((f) => {
      if (f.name !== "items") return f;
      const items = (f.type as { items: { fields: Array<{ name: string }> } }).items;
      return {
        ...f,
        type: {
          type: "array",
          items: {
            ...items,
            fields: items.fields.filter((i) => i.name !== "discount" && i.name !== "reducedRateEligible"),
          },
        },
      };
    });
  return { ...current, fields };
}

function payment(orderId: string, extra: Record<string, unknown> = {}) {
  return {
    eventId: uniqueName("cevt"),
    orderId,
    merchantId: "M-COMMERCE",
    paymentId: uniqueName("pay"),
    amount: 110_000,
    paidAt: Date.UTC(2026, 11, 1),
    items: [{ sku: "SKU-1", name: "Trà sữa", unit: "ly", quantity: "1", unitPrice: 100_000, vatRate: "10" }],
    ...extra,
  };
}

describe("commerce topics", () => {
  it("decodes an older schema version, dead-letters each poison kind, and lets the good records through", async () => {
    const topic = context.ingest.commerceTopics.paymentSucceeded;
    const subject = valueSubject(topic);
    await codec.setCompatibility(subject, "BACKWARD");
    const v1 = await codec.register(subject, paymentSucceededV1());
    const v2 = await codec.register(subject, loadSchema("commerce-payment-succeeded"));
    expect(v2).not.toBe(v1);

    const key = uniqueName("ORD-SAME-PARTITION");
    const good = [uniqueName("ORD-G1"), uniqueName("ORD-G2"), uniqueName("ORD-G3")];
    const oldRecord = await codec.encode(v1, payment(good[0] as string));
    const current = await codec.encode(v2, {
      ...payment(good[1] as string),
      currency: "VND",
      items: [
        {
          sku: "S",
          name: "Bánh mì",
          unit: null,
          quantity: "2",
          unitPrice: 20_000,
          discount: 0,
          vatRate: "10",
          reducedRateEligible: true,
        },
      ],
      invoiceRequest: {
        buyerType: "company",
        taxCode: "0100109106",
        companyName: "Công ty A",
        fullName: null,
        personalId: null,
        address: "Hà Nội",
        email: null,
        phone: null,
      },
    });
    const corrupt = Buffer.concat([
      current.subarray(0, 5),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]);
    const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xfe]), current.subarray(5)]);
    const wrongMagic = Buffer.concat([Buffer.from([1]), current.subarray(1)]);
    const invalid = await codec.encode(v2, {
      ...payment(uniqueName("ORD-BAD")),
      currency: "USD",
      invoiceRequest: null,
    });
    const third = await codec.encode(v1, payment(good[2] as string));

    const sent = [
      { value: oldRecord, poison: undefined },
      { value: unknownId, poison: "deserialization" },
      { value: current, poison: undefined },
      { value: corrupt, poison: "deserialization" },
      { value: wrongMagic, poison: "deserialization" },
      { value: null, poison: "deserialization" },
      { value: invalid, poison: "non-retryable" },
      { value: third, poison: undefined },
    ] as const;
    const producer = kafkaClient().producer();
    await producer.connect();
    const written = await producer.send(
      topic,
      sent.map((s) => ({ key, value: s.value, headers: { origin: "commerce-test" } })),
    );
    await producer.disconnect();

    const dlq = await collect(
      ["invoice.ingest.dlq"],
      (rs) => rs.filter((r) => r.headers["dlq.original.topic"] === topic).length >= 5,
      {
        description: "five poison records on the ingest DLQ",
      },
    );
    const mine = dlq
      .filter((r) => r.headers["dlq.original.topic"] === topic)
      .sort((a, b) => Number(a.headers["dlq.original.offset"]) - Number(b.headers["dlq.original.offset"]));
    const poisonIndexes = sent.flatMap((s, i) => (s.poison ? [i] : []));
    expect(mine).toHaveLength(poisonIndexes.length);
    mine.forEach((record, n) => {
      const i = poisonIndexes[n] as number;
      expect(record.headers["dlq.reason"]).toBe(sent[i]?.poison);
      expect(record.headers["dlq.original.partition"]).toBe(String(written[i]?.partition));
      expect(record.headers["dlq.original.offset"]).toBe(written[i]?.offset);
      expect(record.headers["dlq.consumer.group"]).toBe(
        `${context.ingest.serviceCode}_INGEST_COMMERCE_CONSUMER`,
      );
      expect(record.headers["dlq.error.message"]).toEqual(expect.any(String));
      expect(record.headers.origin).toBe("commerce-test");
      expect(record.key?.toString()).toBe(key);
      const original = sent[i]?.value;
      if (original === null) expect(record.value).toBeNull();
      else expect(record.value?.equals(original as Buffer)).toBe(true);
    });
    expect(mine[5 - 1]?.headers["dlq.error.message"]).toContain("currency");

    const issuance = await collect(["invoice.issuance"], (rs) =>
      good.every((g) => rs.some((r) => r.key?.toString() === g)),
    );
    const events = await Promise.all(
      issuance.filter((r) => good.includes(r.key?.toString() ?? "")).map(decodeIssuance),
    );
    expect(events.map((e) => e.orderId).sort()).toEqual([...good].sort());
    const byOrder = Object.fromEntries(events.map((e) => [e.orderId, e]));
    expect(byOrder[good[0] as string]).toMatchObject({
      type: "PAYMENT_SUCCEEDED",
      source: "ingest/commerce-payment-succeeded",
      payload: {
        "vn.invoice.issuance.PaymentSucceeded": {
          amountVnd: 110_000,
          buyer: null,
          lines: [{ sku: "SKU-1", discountVnd: 0, reducedRateEligible: false, unitPriceVnd: 100_000 }],
        },
      },
    });
    expect(byOrder[good[1] as string]).toMatchObject({
      payload: {
        "vn.invoice.issuance.PaymentSucceeded": { buyer: { kind: "COMPANY", taxCode: "0100109106" } },
      },
    });
  });

  it("dead-letters a record of an unrelated registered schema, trailing bytes, and text that is not UTF-8", async () => {
    const topic = context.ingest.commerceTopics.invoiceRequested;
    const id = await codec.register(valueSubject(topic), loadSchema("commerce-invoice-requested"));
    const other = await codec.register(uniqueName("unrelated-value"), {
      type: "record",
      name: "Unrelated",
      namespace: "vn.test",
      fields: [{ name: "a", type: "int" }],
    });
    const request = (orderId: string, fullName: string) => ({
      eventId: uniqueName("cevt"),
      orderId,
      merchantId: "M-COMMERCE",
      requestedAt: Date.UTC(2026, 11, 1),
      buyerType: "individual",
      taxCode: null,
      companyName: null,
      fullName,
      personalId: null,
      address: null,
      email: null,
      phone: null,
    });
    const key = uniqueName("ORD-POISON2");
    const good = uniqueName("ORD-AFTER");
    const valid = await codec.encode(id, request(uniqueName("ORD-X"), "Nguyen XXXX"));
    const at = valid.indexOf("XXXX");
    const notUtf8 = Buffer.from(valid);
    notUtf8.set([0x58, 0xff, 0xfe, 0x58], at);
    const sent = [
      await codec.encode(other, { a: 1 }),
      Buffer.concat([await codec.encode(id, request(uniqueName("ORD-Y"), "An")), Buffer.from([0x02, 0x41])]),
      notUtf8,
    ];
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send(topic, [
      ...sent.map((value) => ({ key, value })),
      { key: good, value: await codec.encode(id, request(good, "Trần Thị Bình")) },
    ]);
    await producer.disconnect();

    const dlq = await collect(
      ["invoice.ingest.dlq"],
      (rs) => rs.filter((r) => r.headers["dlq.original.topic"] === topic).length >= sent.length,
      { description: "three poison records on the ingest DLQ" },
    );
    const mine = dlq
      .filter((r) => r.headers["dlq.original.topic"] === topic)
      .sort((a, b) => Number(a.headers["dlq.original.offset"]) - Number(b.headers["dlq.original.offset"]));
    expect(mine.map((r) => r.value?.equals(sent[mine.indexOf(r)] as Buffer))).toEqual([true, true, true]);
    expect(mine.map((r) => r.headers["dlq.reason"])).toEqual(Array(3).fill("deserialization"));
    expect(mine[2]?.headers["dlq.error.message"]).toContain("UTF-8");
    const issuance = await collect(["invoice.issuance"], (rs) => rs.some((r) => r.key?.toString() === good), {
      timeoutMs: 120_000,
    });
    expect(issuance.filter((r) => r.key?.toString() === key)).toEqual([]);
  }, 300_000);

  it("a re-delivered record yields the same eventId (derived from commerce's own event id)", async () => {
    const topic = context.ingest.commerceTopics.paymentRefunded;
    const subject = valueSubject(topic);
    const id = await codec.register(subject, loadSchema("commerce-payment-refunded"));
    const orderId = uniqueName("ORD-REFUND");
    const refund = {
      eventId: uniqueName("cevt"),
      orderId,
      merchantId: "M-COMMERCE",
      refundId: "R-1",
      amount: 5_000,
      full: false,
      refundedAt: Date.UTC(2026, 11, 2),
    };
    const producer = kafkaClient().producer();
    await producer.connect();
    const bytes = await codec.encode(id, refund);
    await producer.send(topic, [{ key: orderId, value: bytes }]);
    await producer.send(topic, [{ key: orderId, value: bytes }]);
    await producer.disconnect();
    const records = await collect(
      ["invoice.issuance"],
      (rs) => rs.filter((r) => r.key?.toString() === orderId).length >= 2,
    );
    const mine = records.filter((r) => r.key?.toString() === orderId);
    expect(new Set(mine.map((r) => r.headers.eventId)).size).toBe(1);
  });
});
