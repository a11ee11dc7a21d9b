import { describe, expect, it } from "vitest";
import type { BuyerInfo } from "../events.ts";
import { buildInvoiceDocument } from "./build-document.ts";
import { sampleSnapshot } from "./fixtures.ts";
import type { BuildDocumentResult, InvoiceDocument, InvoiceSnapshot } from "./types.ts";

function built(result: BuildDocumentResult): InvoiceDocument {
  if (!result.ok) throw new Error(result.reason);
  return result.document;
}

function issues(snapshot: InvoiceSnapshot) {
  const result = buildInvoiceDocument(snapshot);
  if (result.ok) throw new Error("expected an invalid document");
  expect(result.code).toBe("INVALID_DOCUMENT");
  expect(result.reason).not.toBe("");
  return result.issues.map((i) => [i.path, i.code]);
}

describe("buildInvoiceDocument", () => {
  it("builds the canonical document with totals, breakdown and words", () => {
    const doc = built(buildInvoiceDocument(sampleSnapshot()));
    expect(doc).toMatchObject({
      formatVersion: "2.1.0",
      documentId: "DLHDon-6f1d2c1e-7a7e-4c59-9a77-2b8f0f4d1a10",
      invoiceName: "Hóa đơn giá trị gia tăng",
      templateCode: "1",
      series: "C26TAA",
      symbol: "1C26TAA",
      invoiceDate: "2026-03-15",
      currency: "VND",
      paymentMethod: "TM/CK",
      buyer: { kind: "company", taxCode: "0300588569" },
    });
    expect(doc.lines.map((l) => [l.lineNo, l.amountBeforeVatVnd, l.vatRate, l.vatVnd])).toEqual([
      [1, 300_000, "8%", 24_000],
      [2, 100_000, "10%", 10_000],
      [3, 140_000, "5%", 7_000],
    ]);
    expect(doc.vatBreakdown.map((r) => [r.vatRate, r.amountBeforeVatVnd, r.vatVnd])).toEqual([
      ["10%", 100_000, 10_000],
      ["8%", 300_000, 24_000],
      ["5%", 140_000, 7_000],
    ]);
    expect(doc.totals).toEqual({
      totalDiscountVnd: 10_000,
      totalBeforeVatVnd: 540_000,
      totalVatVnd: 41_000,
      totalPayableVnd: 581_000,
      totalPayableInWords: "Năm trăm tám mươi mốt nghìn đồng",
    });
  });

  it("normalises text to NFC, trims and collapses whitespace, and normalises tax codes", () => {
    const doc = built(
      buildInvoiceDocument(
        sampleSnapshot({
          seller: {
            ...sampleSnapshot().seller,
            name: "  Công ty  Cổ phần\nSông Hồng ".normalize("NFD"),
            taxCode: "0100 109 106",
          },
          buyer: { kind: "company", name: "Sữa Việt", taxCode: "0300588569001", address: "HCM" },
        }),
      ),
    );
    expect(doc.seller.name).toBe("Công ty Cổ phần Sông Hồng");
    expect(doc.seller.name).toBe(doc.seller.name.normalize("NFC"));
    expect(doc.seller.taxCode).toBe("0100109106");
    expect(doc.buyer).toMatchObject({ taxCode: "0300588569-001" });
  });

  it("accepts the anonymous retail buyer and an individual with a personal ID", () => {
    expect(built(buildInvoiceDocument(sampleSnapshot({ buyer: { kind: "anonymous" } }))).buyer).toEqual({
      kind: "anonymous",
    });
    const individual: BuyerInfo = { kind: "individual", name: "Nguyễn Văn A", personalId: "001 099 012 345" };
    expect(built(buildInvoiceDocument(sampleSnapshot({ buyer: individual }))).buyer).toEqual({
      kind: "individual",
      name: "Nguyễn Văn A",
      personalId: "001099012345",
    });
  });

  it("carries invoice number, provider tax code and a replacement reference", () => {
    const doc = built(
      buildInvoiceDocument(
        sampleSnapshot({
          invoiceNo: 123,
          providerTaxCode: "0101352495",
          correction: {
            kind: "replacement",
            original: { templateCode: "1", series: "C26TAA", invoiceNo: "120", invoiceDate: "2026-03-01" },
            note: "Thay thế do sai mã số thuế người mua",
          },
        }),
      ),
    );
    expect(doc).toMatchObject({
      invoiceNo: "123",
      providerTaxCode: "0101352495",
      correction: { kind: "replacement" },
    });
  });

  it("rejects with every reason at once", () => {
    const result = issues(
      sampleSnapshot({
        orderId: "",
        transactionUuid: "short",
        symbol: "1C25TAA", // year does not match 2026
        seller: { name: "", taxCode: "0100109107", address: "x".repeat(401) },
        buyer: { kind: "company", name: "Không MST" } as BuyerInfo,
        invoiceNo: "000123",
        paymentMethod: "x".repeat(51),
      }),
    );
    expect(result).toEqual([
      ["orderId", "REQUIRED"],
      ["transactionUuid", "INVALID"],
      ["symbol", "SYMBOL_YEAR_MISMATCH"],
      ["invoiceNo", "INVALID"],
      ["seller.name", "REQUIRED"],
      ["seller.taxCode", "TAX_CODE_INVALID_CHECK_DIGIT"],
      ["seller.address", "TOO_LONG"],
      ["buyer.taxCode", "BUYER_TAX_CODE_REQUIRED"],
      ["paymentMethod", "TOO_LONG"],
    ]);
  });

  it.each<[string, Partial<InvoiceSnapshot>, [string, string][]]>([
    ["a sales-invoice template", { symbol: "2C26TAA" }, [["symbol", "UNSUPPORTED_TEMPLATE"]]],
    ["an invalid date", { invoiceDate: "2026-02-30" }, [["invoiceDate", "INVALID"]]],
    [
      "a date before the VAT table",
      { invoiceDate: "2025-06-30", symbol: "1C25TAA" },
      [["lines", "DATE_BEFORE_POLICY_COVERAGE"]],
    ],
    ["no lines", { lines: [] }, [["lines", "NO_LINES"]]],
    [
      "a line discount above its amount",
      { lines: [{ name: "x", quantity: 1, unitPriceVnd: 10, discountVnd: 11, vatCategory: "VAT10" }] },
      [["lines[0]", "DISCOUNT_EXCEEDS_AMOUNT"]],
    ],
    [
      "a line without a name",
      { lines: [{ name: " ", quantity: 1, unitPriceVnd: 10, vatCategory: "VAT10" }] },
      [["lines[0].name", "REQUIRED"]],
    ],
    [
      "a 501-character item name",
      { lines: [{ name: "ắ".repeat(501), quantity: 1, unitPriceVnd: 10, vatCategory: "VAT10" }] },
      [["lines[0].name", "TOO_LONG"]],
    ],
    [
      "a control character",
      { seller: { ...sampleSnapshot().seller, name: "Sông\u0007Hồng" } },
      [["seller.name", "INVALID_CHARACTERS"]],
    ],
    [
      "a total that differs from the payment",
      { expectedTotalVnd: 580_000 },
      [["expectedTotalVnd", "TOTAL_MISMATCH"]],
    ],
    [
      "an invalid buyer tax code",
      { buyer: { kind: "company", name: "A", taxCode: "0100233480", address: "B" } },
      [["buyer.taxCode", "BUYER_INVALID_TAX_CODE"]],
    ],
    [
      "an invalid provider tax code",
      { providerTaxCode: "123" },
      [["providerTaxCode", "TAX_CODE_INVALID_LENGTH"]],
    ],
    [
      "a correction dated after the invoice",
      {
        correction: {
          kind: "adjustment",
          original: { templateCode: "1", series: "C26TAA", invoiceNo: "1", invoiceDate: "2026-04-01" },
        },
      },
      [["correction.original.invoiceDate", "INVALID"]],
    ],
  ])("rejects %s", (_name, overrides, expected) => {
    expect(issues(sampleSnapshot(overrides))).toEqual(expected);
  });

  it("counts length in characters after NFC, not in UTF-16 units or NFD code points", () => {
    // 400 precomposed Vietnamese letters fit; in NFD each would be two or three code points.
    const name = "ễ".repeat(400);
    const doc = built(
      buildInvoiceDocument(
        sampleSnapshot({ seller: { ...sampleSnapshot().seller, name: name.normalize("NFD") } }),
      ),
    );
    expect(doc.seller.name).toBe(name);
  });

  it("accepts the total the buyer paid", () => {
    expect(buildInvoiceDocument(sampleSnapshot({ expectedTotalVnd: 581_000 })).ok).toBe(true);
  });
});
