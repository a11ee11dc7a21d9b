/**
 * The signed webhooks against the real stack: every answer code of the README's table, rotation,
 * replay, the two secrets not being interchangeable, and what lands on invoice.issuance.
 */
import { partitionForKey } from "@invoice/kafka";
import { uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import {
  collect,
  decodeIssuance,
  INTERNAL_SECRET,
  MERCHANT_SECRET,
  MERCHANT_SECRET_PREVIOUS,
  signedHeaders,
  useIngest,
} from "./support.ts";

const context = useIngest({ HTTP_BODY_LIMIT_BYTES: "65536" });

function event(overrides: Record<string, unknown> = {}) {
  return {
    eventId: uniqueName("evt"),
    type: "invoice.requested",
    occurredAt: "2026-12-01T10:00:00+07:00",
    merchantId: "M-WEBHOOK",
    orderId: uniqueName("ORD"),
    data: {
      buyer: {
        kind: "company",
        name: "  Công ty   TNHH Hóa Đơn Việt ",
        // Full-width digits and a space: normalised before the check digit is verified.
        taxCode: "０１００１０９１０６",
        address: "Số 1 Tràng Tiền, Hà Nội",
        email: "ketoan@example.vn",
      },
    },
    ...overrides,
  };
}

async function post(route: "merchant" | "internal", body: string | Buffer, headers: Record<string, string>) {
  const response = await fetch(`${context.ingest.url}/v1/api/webhooks/${route}`, {
    method: "POST",
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    retryAfter: response.headers.get("retry-after"),
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    text,
  };
}

describe("signed webhooks", () => {
  it("202 with the eventId once written; the record is the normalised IssuanceEvent keyed by orderId", async () => {
    const body = JSON.stringify(event());
    const parsed = JSON.parse(body) as { orderId: string };
    const answer = await post("merchant", body, signedHeaders(body, MERCHANT_SECRET));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: "accepted", duplicate: false, eventId: expect.any(String) });

    const records = await collect(["invoice.issuance"], (rs) =>
      rs.some((r) => r.key?.toString() === parsed.orderId),
    );
    const record = records.find((r) => r.key?.toString() === parsed.orderId);
    expect(record?.headers.eventId).toBe(answer.body.eventId);
    expect(record?.partition).toBe(partitionForKey(parsed.orderId, 3));
    const value = await decodeIssuance(record as never);
    expect(value).toMatchObject({
      eventId: answer.body.eventId,
      orderId: parsed.orderId,
      merchantId: "M-WEBHOOK",
      type: "INVOICE_REQUESTED",
      source: "ingest/merchant-webhook",
      payload: {
        "vn.invoice.issuance.InvoiceRequested": {
          channel: "merchant-webhook",
          buyer: { kind: "COMPANY", name: "Công ty TNHH Hóa Đơn Việt", taxCode: "0100109106" },
        },
      },
    });
    const marker = context.ingest.proc.logs.find(
      (l) =>
        typeof l.msg === "string" && l.msg.startsWith("[enqueueIssuance]") && l.orderId === parsed.orderId,
    );
    expect(marker?.msg).toBe(`[enqueueIssuance] orderId: ${parsed.orderId} partition: ${record?.partition}`);
  });

  it("an exact replay answers 202 duplicate and publishes nothing; a re-signed retry keeps the eventId", async () => {
    const e = event();
    const body = JSON.stringify(e);
    const headers = signedHeaders(body, MERCHANT_SECRET);
    const first = await post("merchant", body, headers);
    const replay = await post("merchant", body, headers);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ eventId: first.body.eventId, status: "accepted", duplicate: true });
    // The sender retrying with a fresh timestamp is not an exact replay: published again, same eventId.
    const resigned = await post(
      "merchant",
      body,
      signedHeaders(body, MERCHANT_SECRET, Math.floor(Date.now() / 1000) - 5),
    );
    expect(resigned.body).toMatchObject({ eventId: first.body.eventId, duplicate: false });
    const records = await collect(
      ["invoice.issuance"],
      (rs) => rs.filter((r) => r.key?.toString() === e.orderId).length >= 2,
    );
    const mine = records.filter((r) => r.key?.toString() === e.orderId);
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((r) => r.headers.eventId))).toEqual(new Set([first.body.eventId]));
  });

  it("accepts the previous secret during a rotation, and a header with both v1 values", async () => {
    const body = JSON.stringify(event());
    expect((await post("merchant", body, signedHeaders(body, MERCHANT_SECRET_PREVIOUS))).status).toBe(202);
    const both = JSON.stringify(event());
    expect(
      (
        await post(
          "merchant",
          both,
          signedHeaders(both, ["whsec_unknown_to_us_0123456789abcdef", MERCHANT_SECRET]),
        )
      ).status,
    ).toBe(202);
  });

  it("401 for a missing, malformed, wrong or stale signature — never echoing a secret or the expected value", async () => {
    const body = JSON.stringify(event());
    const cases: Array<[Record<string, string>, string]> = [
      [{ "content-type": "application/json" }, "SIGNATURE_MISSING"],
      [{ "content-type": "application/json", "x-signature": "sha256=abc" }, "SIGNATURE_MALFORMED"],
      [signedHeaders(body, "whsec_wrong_secret_0123456789abcdef0123"), "SIGNATURE_MISMATCH"],
      [signedHeaders(`${body} `, MERCHANT_SECRET), "SIGNATURE_MISMATCH"],
      [
        signedHeaders(body, MERCHANT_SECRET, Math.floor(Date.now() / 1000) - 301),
        "SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE",
      ],
    ];
    for (const [headers, code] of cases) {
      const answer = await post("merchant", body, headers);
      expect(answer.status, code).toBe(401);
      expect(answer.type).toContain("application/problem+json");
      expect(answer.body.code).toBe(code);
      expect(answer.text).not.toContain(MERCHANT_SECRET);
      expect(answer.text).not.toMatch(/[0-9a-f]{64}/);
    }
  });

  it("the merchant and internal secrets are not interchangeable", async () => {
    const body = JSON.stringify(event());
    expect((await post("internal", body, signedHeaders(body, MERCHANT_SECRET))).body.code).toBe(
      "SIGNATURE_MISMATCH",
    );
    expect((await post("merchant", body, signedHeaders(body, INTERNAL_SECRET))).body.code).toBe(
      "SIGNATURE_MISMATCH",
    );
    expect((await post("internal", body, signedHeaders(body, INTERNAL_SECRET))).status).toBe(202);
  });

  it("checks the signature before parsing: unsigned garbage is 401, signed garbage 400", async () => {
    const garbage = '{"eventId": "x", oops';
    expect((await post("merchant", garbage, { "content-type": "application/json" })).status).toBe(401);
    const signed = await post("merchant", garbage, signedHeaders(garbage, MERCHANT_SECRET));
    expect(signed.status).toBe(400);
    expect(signed.body.code).toBe("MALFORMED_JSON");
    // Without a JSON content type the bytes are still verified and parsed the same way.
    const text = JSON.stringify(event());
    const plain = await post("merchant", text, {
      ...signedHeaders(text, MERCHANT_SECRET),
      "content-type": "text/plain",
    });
    expect(plain.status).toBe(202);
  });

  it("415 UNSUPPORTED_ENCODING for a Content-Encoding the server does not decode", async () => {
    const body = JSON.stringify(event());
    for (const type of ["application/json", "text/plain"]) {
      const answer = await post("merchant", body, {
        ...signedHeaders(body, MERCHANT_SECRET),
        "content-type": type,
        "content-encoding": "zstd",
      });
      expect({ type, status: answer.status, code: answer.body.code }).toEqual({
        type,
        status: 415,
        code: "UNSUPPORTED_ENCODING",
      });
    }
  });

  it("400 for bytes that are not UTF-8 whatever the content type, instead of publishing U+FFFD", async () => {
    const [before, after] = JSON.stringify(event()).split("Công");
    const body = Buffer.concat([
      Buffer.from(`${before}C`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${after}`),
    ]);
    for (const type of ["application/json", "text/plain", "application/octet-stream"]) {
      const answer = await post("merchant", body, {
        ...signedHeaders(body, MERCHANT_SECRET),
        "content-type": type,
      });
      expect({ type, status: answer.status, code: answer.body.code }).toEqual({
        type,
        status: 400,
        code: "MALFORMED_JSON",
      });
    }
  });

  it("400 naming the field paths of a schema violation (after the domain's tax-code rules)", async () => {
    const body = JSON.stringify(
      event({
        orderId: "",
        data: { buyer: { kind: "company", name: "Co", taxCode: "0100109107", address: "HN" } },
      }),
    );
    const answer = await post("merchant", body, signedHeaders(body, MERCHANT_SECRET));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe("SCHEMA_VIOLATION");
    const paths = (answer.body.errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toContain("orderId");
    const data = await post(
      "merchant",
      JSON.stringify(
        event({ data: { buyer: { kind: "company", name: "Co", taxCode: "0100109107", address: "HN" } } }),
      ),
      signedHeaders(JSON.stringify(event()), MERCHANT_SECRET),
    );
    expect(data.status).toBe(401); // signed a different body: the signature covers exactly the bytes sent
    const badTax = JSON.stringify(
      event({ data: { buyer: { kind: "company", name: "Co", taxCode: "0100109107", address: "HN" } } }),
    );
    const taxAnswer = await post("merchant", badTax, signedHeaders(badTax, MERCHANT_SECRET));
    expect(taxAnswer.body.errors).toEqual([
      { path: "data.buyer.taxCode", message: "INVALID_TAX_CODE (INVALID_CHECK_DIGIT)" },
    ]);
  });

  it("422 for an unknown event type, and for a provider callback sent to the merchant route", async () => {
    const unknown = JSON.stringify(event({ type: "order.shipped" }));
    const a = await post("merchant", unknown, signedHeaders(unknown, MERCHANT_SECRET));
    expect(a.status).toBe(422);
    expect(a.body).toMatchObject({
      code: "UNKNOWN_EVENT_TYPE",
      acceptedTypes: expect.arrayContaining(["invoice.requested"]),
    });
    const callback = JSON.stringify(
      event({
        type: "provider.callback",
        data: { transactionUuid: "5b0c2f8e-3c1d-4f6a-9e27-8d4b1a6c9f30", outcome: "issued", invoiceNo: "1" },
      }),
    );
    expect((await post("merchant", callback, signedHeaders(callback, MERCHANT_SECRET))).status).toBe(422);
    expect((await post("internal", callback, signedHeaders(callback, INTERNAL_SECRET))).status).toBe(202);
  });

  it("413 for a body over the limit", async () => {
    const big = JSON.stringify(event({ padding: "x".repeat(70_000) }));
    const answer = await post("merchant", big, signedHeaders(big, MERCHANT_SECRET));
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts every event type with its documented body", async () => {
    const bodies = [
      event({
        type: "payment.succeeded",
        data: {
          paymentId: "PAY-1",
          amountVnd: 1_250_000,
          lines: [
            {
              sku: "SKU-1",
              name: "Cà phê",
              quantity: "2",
              unitPriceVnd: 625_000,
              vatCategory: "10",
              reducedRateEligible: true,
            },
          ],
          buyer: { kind: "individual", name: "Nguyễn Văn A", personalId: "001099012345" },
        },
      }),
      event({ type: "payment.refunded", data: { refundId: "R-1", amountVnd: 100_000, full: false } }),
    ];
    for (const e of bodies) {
      const body = JSON.stringify(e);
      const answer = await post("internal", body, signedHeaders(body, INTERNAL_SECRET));
      expect(answer.status, answer.text).toBe(202);
    }
  });
});
