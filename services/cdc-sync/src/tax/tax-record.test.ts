import { describe, expect, it } from "vitest";
import { merchantRow } from "../testing/envelopes.ts";
import { DEFAULT_COLUMN_MAPPING, mappedColumns, parseColumnMapping } from "./column-mapping.ts";
import { diffTaxRecords, extractTaxRecord, type TaxRecord, UNAVAILABLE_VALUE } from "./tax-record.ts";

const extract = (row: Record<string, unknown>, previous?: TaxRecord) =>
  extractTaxRecord(row, DEFAULT_COLUMN_MAPPING, previous);

function record(row: Record<string, unknown>): TaxRecord {
  const result = extract(row);
  if (!result.ok) throw new Error(result.message);
  return result.record;
}

describe("extractTaxRecord", () => {
  it("reads the mapped columns and ignores the others", () => {
    const result = extract(merchantRow("m1", { loyalty_tier: "gold" }));
    expect(result).toEqual({
      ok: true,
      merchantId: "m1",
      record: {
        taxCode: "0100109106",
        taxCodeIssue: null,
        legalName: "Công ty TNHH m1",
        address: "1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
        provinceCode: "01",
        communeCode: "00070",
        email: "m1@example.vn",
        phone: "0241234567",
        vatMethod: "KHAU_TRU",
        eInvoiceSettings: { enabled: true, templateCode: "1/001", series: "C25TAA" },
      },
    });
  });

  it("keeps an invalid tax code as it is and names the issue", () => {
    expect(record(merchantRow("m1", { tax_code: "0100109107" }))).toMatchObject({
      taxCode: "0100109107",
      taxCodeIssue: "INVALID_CHECK_DIGIT",
    });
    expect(record(merchantRow("m1", { tax_code: null }))).toMatchObject({
      taxCode: "",
      taxCodeIssue: "EMPTY",
    });
    expect(record(merchantRow("m1", { tax_code: " 0100109106 " }))).toMatchObject({
      taxCode: " 0100109106 ",
    });
  });

  it("reads a numeric column as its decimal text", () => {
    expect(record(merchantRow("m1", { id: 42, tax_code: 100109106 }))).toMatchObject({
      taxCode: "100109106",
      taxCodeIssue: "INVALID_LENGTH",
    });
  });

  it("reports a mapped column missing from the row, naming it", () => {
    const { commune_code: _dropped, ...row } = merchantRow("m1");
    expect(extract(row)).toMatchObject({
      ok: false,
      code: "MAPPING_COLUMN_MISSING",
      field: "communeCode",
      column: "commune_code",
    });
  });

  it("refuses a column whose type cannot be the field", () => {
    expect(extract(merchantRow("m1", { legal_name: { text: "x" } }))).toMatchObject({
      ok: false,
      code: "MAPPING_TYPE_MISMATCH",
      field: "legalName",
    });
  });

  it("keeps the stored value for a TOASTed column Debezium did not send", () => {
    const previous = record(merchantRow("m1", { address: "long address" }));
    expect(extract(merchantRow("m1", { address: UNAVAILABLE_VALUE }))).toMatchObject({
      ok: false,
      code: "VALUE_UNAVAILABLE",
      field: "address",
    });
    const kept = extract(merchantRow("m1", { address: UNAVAILABLE_VALUE }), previous);
    expect(kept).toMatchObject({ ok: true, record: { address: "long address" } });
  });
});

describe("diffTaxRecords", () => {
  const base = record(merchantRow("m1"));
  it("finds no change when only non-tax columns changed", () => {
    expect(diffTaxRecords(base, record(merchantRow("m1", { shop_url: "x", updated_at: "y" })))).toEqual([]);
  });
  it("names every changed tax field, including inside the e-invoice settings", () => {
    const changed = record(
      merchantRow("m1", { tax_code: "0312345678", einvoice_series: "C26TAA", email: null }),
    );
    expect(diffTaxRecords(base, changed)).toEqual(["taxCode", "email", "eInvoiceSettings"]);
  });
  it("treats a whitespace change as a change (values are compared as stored)", () => {
    expect(diffTaxRecords(base, record(merchantRow("m1", { legal_name: "Công ty TNHH m1 " })))).toEqual([
      "legalName",
    ]);
  });
});

describe("parseColumnMapping", () => {
  it("defaults, and overrides field by field", () => {
    expect(parseColumnMapping(undefined)).toEqual({ ok: true, mapping: DEFAULT_COLUMN_MAPPING });
    const parsed = parseColumnMapping('{"taxCode":"mst","vatMethod":null,"eInvoice":{}}');
    expect(parsed).toMatchObject({
      ok: true,
      mapping: { taxCode: "mst", vatMethod: null, eInvoice: {}, legalName: "legal_name" },
    });
    if (parsed.ok) expect(mappedColumns(parsed.mapping)).not.toContain("vat_method");
  });
  it("refuses unknown keys, bad JSON and empty column names", () => {
    expect(parseColumnMapping('{"taxcode":"mst"}')).toMatchObject({ ok: false });
    expect(parseColumnMapping("{")).toMatchObject({ ok: false, error: expect.stringContaining("not JSON") });
    expect(parseColumnMapping('{"taxCode":""}')).toMatchObject({
      ok: false,
      error: expect.stringContaining("taxCode"),
    });
    expect(parseColumnMapping('{"taxCode":null}')).toMatchObject({ ok: false });
  });
});
