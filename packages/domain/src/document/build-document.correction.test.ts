// Adjustment and replacement documents: VAT at the sale's date, the corrected invoice's reference,
// the sign of a decrease. Review findings 5, 6, 16 and 17 (builder side).
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { buildInvoiceDocument } from "./build-document.ts";
import { invoiceDocumentToXml } from "./document-xml.ts";
import { sampleSnapshot } from "./fixtures.ts";
import type { InvoiceCorrectionInput, InvoiceDocument, InvoiceSnapshot } from "./types.ts";

const ORIGINAL_2026_12_31 = {
  templateCode: "1",
  series: "C26TAA",
  invoiceNo: "42",
  invoiceDate: "2026-12-31",
};

/** An adjustment on 5 Jan 2027 of an invoice of 31 Dec 2026 (8% period) for one 100,000 VND line. */
function adjustment(
  overrides: Partial<InvoiceSnapshot> = {},
  correction: Partial<InvoiceCorrectionInput> = {},
) {
  return sampleSnapshot({
    symbol: "1C27TAA",
    invoiceDate: "2027-01-05",
    lines: [{ name: "Áo thun", quantity: 1, unitPriceVnd: 100_000, vatCategory: "VAT10_REDUCIBLE" }],
    correction: { kind: "adjustment", direction: "decrease", original: ORIGINAL_2026_12_31, ...correction },
    ...overrides,
  });
}

function built(snapshot: InvoiceSnapshot): InvoiceDocument {
  const result = buildInvoiceDocument(snapshot);
  if (!result.ok) throw new Error(result.reason);
  return result.document;
}

function issues(snapshot: InvoiceSnapshot) {
  const result = buildInvoiceDocument(snapshot);
  if (result.ok) throw new Error("expected an invalid document");
  return result.issues.map((i) => [i.path, i.code]);
}

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ["HHDVu", "LTSuat"].includes(name) });
const toan = (d: InvoiceDocument) => parser.parse(invoiceDocumentToXml(d)).HDon.DLHDon.NDHDon;

describe("VAT of a correction is the rate of the sale's date (finding 6)", () => {
  it("an adjustment on 2027-01-05 of an 8% invoice of 2026-12-31 uses 8%", () => {
    const doc = built(adjustment({}, { direction: "increase" }));
    expect(doc.taxPointDate).toBe("2026-12-31");
    expect(doc.invoiceDate).toBe("2027-01-05");
    expect(doc.lines[0]?.vatRate).toBe("8%");
    expect(doc.totals).toMatchObject({ totalVatVnd: 8_000, totalPayableVnd: 108_000 });
  });

  it("a replacement across the year keeps the original sale's rate", () => {
    const doc = built(adjustment({}, { kind: "replacement", direction: undefined }));
    expect(doc.vatBreakdown.map((r) => r.vatRate)).toEqual(["8%"]);
  });

  it("an explicit tax point date wins (a replacement of a replacement dated 2027)", () => {
    const doc = built(
      adjustment(
        { taxPointDate: "2026-12-30" },
        {
          kind: "replacement",
          direction: undefined,
          original: { ...ORIGINAL_2026_12_31, series: "C27TAA", invoiceDate: "2027-01-02" },
        },
      ),
    );
    expect(doc.lines[0]?.vatRate).toBe("8%");
  });

  it("an original invoice dated 2027 is at 10%", () => {
    const doc = built(adjustment({ correction: undefined }));
    expect(doc.lines[0]?.vatRate).toBe("10%");
  });

  it.each([
    ["after the corrected invoice", { taxPointDate: "2027-01-01" }],
    ["not a date", { taxPointDate: "2026-02-30" }],
  ])("refuses a tax point date %s", (_name, overrides) => {
    expect(issues(adjustment(overrides))).toEqual([["taxPointDate", "INVALID"]]);
  });
});

describe("a decrease adjustment carries negative amounts (finding 5)", () => {
  it("in the XML: DGia, ThTien, TThue, TgTCThue, TgTThue, TgTTTBSo negative, words 'Giảm ...'", () => {
    const nd = toan(built(adjustment()));
    expect(nd.DSHHDVu.HHDVu[0]).toMatchObject({
      SLuong: "1",
      DGia: "-100000",
      ThTien: "-100000",
      TSuat: "8%",
    });
    expect(nd.TToan.THTTLTSuat.LTSuat).toEqual([{ TSuat: "8%", ThTien: "-100000", TThue: "-8000" }]);
    expect(nd.TToan).toMatchObject({
      TgTCThue: "-100000",
      TgTThue: "-8000",
      TgTTTBSo: "-108000",
      TgTTTBChu: "Giảm một trăm lẻ tám nghìn đồng",
    });
  });

  it("a discount on a decreased line is negative too, so quantity x price - discount = amount", () => {
    const doc = built(
      adjustment({
        lines: [
          { name: "Sách", quantity: 3, unitPriceVnd: 50_000, discountVnd: 10_000, vatCategory: "VAT5" },
        ],
      }),
    );
    expect(toan(doc).DSHHDVu.HHDVu[0]).toMatchObject({
      DGia: "-50000",
      STCKhau: "-10000",
      ThTien: "-140000",
    });
    expect(doc.totals.totalDiscountVnd).toBe(-10_000);
  });

  it("the JSON document is signed the same way, and expectedTotalVnd is compared signed", () => {
    expect(built(adjustment({ expectedTotalVnd: -108_000 })).totals.totalPayableVnd).toBe(-108_000);
    expect(issues(adjustment({ expectedTotalVnd: 108_000 }))).toEqual([
      ["expectedTotalVnd", "TOTAL_MISMATCH"],
    ]);
  });

  it("an increase stays positive with plain words", () => {
    const nd = toan(built(adjustment({}, { direction: "increase" })));
    expect(nd.TToan).toMatchObject({ TgTTTBSo: "108000", TgTTTBChu: "Một trăm lẻ tám nghìn đồng" });
  });

  it("a zero decrease is written 0, not -0", () => {
    const doc = built(
      adjustment({ lines: [{ name: "Ghi chú", quantity: 1, unitPriceVnd: 0, vatCategory: "VAT10" }] }),
    );
    expect(toan(doc).TToan).toMatchObject({ TgTTTBSo: "0", TgTTTBChu: "Không đồng" });
    expect(Object.is(doc.totals.totalPayableVnd, 0)).toBe(true);
  });
});

describe("the corrected invoice's reference is validated (finding 16)", () => {
  it.each<[string, Partial<InvoiceCorrectionInput["original"]>, [string, string][]]>([
    ["a garbage series", { series: "hello" }, [["correction.original.series", "SYMBOL_INVALID_FORMAT"]]],
    [
      "a garbage template",
      { templateCode: "ZZ", series: "hello" },
      [["correction.original.series", "SYMBOL_INVALID_TEMPLATE"]],
    ],
    [
      "a year that is not the original's",
      { series: "C25TAA" },
      [["correction.original.series", "SYMBOL_YEAR_MISMATCH"]],
    ],
    [
      "a kind letter that does not fit",
      { series: "C26NAA" },
      [["correction.original.series", "SYMBOL_KIND_TEMPLATE_MISMATCH"]],
    ],
    ["another template", { templateCode: "2" }, [["correction.original.templateCode", "TEMPLATE_MISMATCH"]]],
  ])("refuses %s", (_name, original, expected) => {
    expect(issues(adjustment({}, { original: { ...ORIGINAL_2026_12_31, ...original } }))).toEqual(expected);
  });
});

describe("the VAT invoice builder only takes kind letters of template 1 (finding 17)", () => {
  it.each(["1K26NAA", "1C26XAA", "1C26BAA", "1C26HAA"])("refuses %s", (symbol) => {
    expect(issues(sampleSnapshot({ symbol }))).toEqual([["symbol", "SYMBOL_KIND_TEMPLATE_MISMATCH"]]);
  });

  it.each(["1C26TAA", "1K26DAA", "1C26LAA", "1C26MAA", "1C26GAA"])("accepts %s", (symbol) => {
    expect(buildInvoiceDocument(sampleSnapshot({ symbol })).ok).toBe(true);
  });
});
