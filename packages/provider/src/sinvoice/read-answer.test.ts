import { isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { readCreate, readLookup, splitInvoiceNo, tokenRefused } from "./read-answer.ts";

const NOW = 1_796_000_000_000;
const answer = (status: number, body: unknown, retryAfterSeconds?: number) => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});
const failure = (reading: ReturnType<typeof readCreate> | ReturnType<typeof readLookup>) => {
  if (reading.kind !== "failed") throw new Error(`expected a failure, got ${reading.kind}`);
  return reading.error;
};

describe("readCreate", () => {
  it("reads an issued invoice: series and the number without leading zeros", () => {
    const reading = readCreate(
      answer(200, {
        errorCode: null,
        description: null,
        result: {
          supplierTaxCode: "0100109106",
          invoiceNo: "C26TAA12",
          transactionID: "168378907853232661",
          reservationCode: "2QTBFEMAXF",
          codeOfTax: null,
        },
      }),
      NOW,
    );
    expect(reading).toEqual({
      kind: "issued",
      invoice: {
        supplierTaxCode: "0100109106",
        invoiceNo: "12",
        providerInvoiceNo: "C26TAA12",
        series: "C26TAA",
        providerTransactionId: "168378907853232661",
        reservationCode: "2QTBFEMAXF",
      },
    });
  });

  it("an empty invoiceNo is asynchronous numbering: accepted, not issued", () => {
    const reading = readCreate(
      answer(200, { errorCode: null, result: { invoiceNo: "", transactionID: 5, reservationCode: "R" } }),
      NOW,
    );
    expect(reading).toEqual({ kind: "accepted", providerTransactionId: "5", reservationCode: "R" });
  });

  it.each([
    [
      "200 errorCode",
      answer(200, { errorCode: "INVOICE_STATUS_INVALID", description: "x", result: null }),
      "PROVIDER_VALIDATION",
      "INVOICE_STATUS_INVALID",
    ],
    [
      "400 code/message",
      answer(400, { code: 400, message: "VAT_AMOUNT_INVALID", data: "Tiền thuế không hợp lệ" }),
      "PROVIDER_VALIDATION",
      "VAT_AMOUNT_INVALID",
    ],
    [
      "400 date order",
      answer(400, { code: 400, message: "INVOICE_ISSUED_DATE_INVALID", data: "x" }),
      "PROVIDER_INVOICE_DATE_REFUSED",
      "INVOICE_ISSUED_DATE_INVALID",
    ],
    [
      "400 unknown series",
      answer(400, { code: 400, message: "INVOICE_SERIAL_NOT_FOUND" }),
      "PROVIDER_SERIES_NOT_FOUND",
      "INVOICE_SERIAL_NOT_FOUND",
    ],
    ["403", answer(403, { error: "access_denied" }), "PROVIDER_AUTH_REJECTED", "access_denied"],
    ["404 wrong base URL", answer(404, "<html>not found</html>"), "PROVIDER_CONFIG_INVALID", undefined],
  ])("%s is a permanent refusal: nothing created", (_name, a, code, providerCode) => {
    const error = failure(readCreate(a, NOW));
    expect(error).toMatchObject({ code, verdict: "not-created", retriable: false, providerCode });
    expect(isRetriable(error)).toBe(false);
  });

  it.each([
    [
      "500",
      answer(500, { error: "Internal Server Error", message: "NullPointerException" }),
      "PROVIDER_SERVER_ERROR",
    ],
    ["502", answer(502, "bad gateway"), "PROVIDER_SERVER_ERROR"],
    ["2xx not JSON", answer(200, "<html>"), "PROVIDER_BAD_RESPONSE"],
    ["2xx without result", answer(200, {}), "PROVIDER_BAD_RESPONSE"],
    ["unreadable invoiceNo", answer(200, { result: { invoiceNo: "???" } }), "PROVIDER_BAD_RESPONSE"],
  ])("%s is transient with an unknown outcome (look the key up before any resend)", (_name, a, code) => {
    const error = failure(readCreate(a, NOW));
    expect(error).toMatchObject({ code, verdict: "unknown", retriable: true });
    expect(isRetriable(error)).toBe(true);
  });

  it("429 is transient and certainly not created, retryAt from Retry-After", () => {
    expect(failure(readCreate(answer(429, { status: 429 }, 7), NOW))).toMatchObject({
      code: "PROVIDER_RATE_LIMITED",
      verdict: "not-created",
      retriable: true,
      retryAt: NOW + 7_000,
    });
  });

  it("503 with Retry-After keeps an unknown verdict but says when to retry", () => {
    expect(failure(readCreate(answer(503, {}, 2), NOW))).toMatchObject({
      verdict: "unknown",
      retryAt: NOW + 2_000,
    });
  });
});

describe("tokenRefused", () => {
  it("401 and SInvoice's HTTP 500 GENERAL (expired token per the spec's error table)", () => {
    expect(tokenRefused(answer(401, { error: "invalid_token" }))).toBe("refused");
    expect(tokenRefused(answer(500, { error: "Internal Server Error", message: "GENERAL" }))).toBe("general");
    expect(tokenRefused(answer(500, { message: "NullPointerException" }))).toBe(false);
    expect(tokenRefused(answer(200, {}))).toBe(false);
  });
});

describe("readLookup", () => {
  const entry = (invoiceNo: string, issueDate: number) => ({
    supplierTaxCode: "0100109106",
    invoiceNo,
    reservationCode: "R1",
    issueDate,
    status: "Hóa đơn gốc",
  });

  it("found: every invoice of the key, oldest first (two = issued twice)", () => {
    const reading = readLookup(
      answer(200, { errorCode: null, result: [entry("C26TAA8", NOW), entry("C26TAA7", NOW)] }),
      NOW,
    );
    expect(reading.kind).toBe("found");
    if (reading.kind !== "found") return;
    expect(reading.invoices.map((i) => i.invoiceNo)).toEqual(["7", "8"]);
    expect(reading.invoices[0]).toMatchObject({
      series: "C26TAA",
      issuedAt: NOW,
      reservationCode: "R1",
      providerStatus: "Hóa đơn gốc",
    });
  });

  it("pending: the key exists but has no number yet", () => {
    expect(readLookup(answer(200, { errorCode: null, result: [entry("", NOW)] }), NOW)).toEqual({
      kind: "pending",
    });
  });

  it("not-found only on an explicit answer", () => {
    expect(readLookup(answer(200, { errorCode: "NOT_FOUND_DATA", result: null }), NOW)).toEqual({
      kind: "not-found",
    });
    expect(readLookup(answer(200, { errorCode: null, result: [] }), NOW)).toEqual({ kind: "not-found" });
  });

  it("an empty object, a null result or garbage is a failure, never not-found", () => {
    for (const body of [{}, { errorCode: null, result: null }, "not json"]) {
      expect(failure(readLookup(answer(200, body), NOW)).code).toBe("PROVIDER_BAD_RESPONSE");
    }
    expect(failure(readLookup(answer(503, {}), NOW)).code).toBe("PROVIDER_SERVER_ERROR");
    expect(failure(readLookup(answer(200, { errorCode: "SUPPLIER_TAX_CODE_INVALID" }), NOW)).code).toBe(
      "PROVIDER_VALIDATION",
    );
  });
});

describe("splitInvoiceNo", () => {
  it("splits series and number as SInvoice writes them", () => {
    expect(splitInvoiceNo("C26TAA12")).toEqual({ series: "C26TAA", invoiceNo: "12" });
    expect(splitInvoiceNo("AA/20E0000001")).toEqual({ series: "AA/20E", invoiceNo: "1" });
    expect(splitInvoiceNo("K24GHY99999999")).toEqual({ series: "K24GHY", invoiceNo: "99999999" });
  });
  it("refuses a missing series, a zero number and more than 8 digits", () => {
    expect([splitInvoiceNo("12"), splitInvoiceNo("C26TAA0"), splitInvoiceNo("C26TAA123456789")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
