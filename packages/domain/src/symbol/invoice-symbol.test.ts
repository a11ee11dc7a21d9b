import { describe, expect, it } from "vitest";
import { parseInvoiceSymbol } from "./invoice-symbol.ts";

describe("parseInvoiceSymbol", () => {
  it("parses the example from the issue", () => {
    expect(parseInvoiceSymbol("1C26TAA", "2026-03-15")).toEqual({
      ok: true,
      templateCode: "1",
      series: "C26TAA",
      full: "1C26TAA",
      withTaxAuthorityCode: true,
      year: 2026,
      kind: "T",
      sellerCode: "AA",
    });
  });

  it.each([
    ["1K25TAB", { templateCode: "1", withTaxAuthorityCode: false, year: 2025, kind: "T", sellerCode: "AB" }],
    ["2C26TYY", { templateCode: "2", kind: "T" }],
    ["1C26MHY", { kind: "M", withTaxAuthorityCode: true }], // cash-register invoice
    ["7K25XAB", { templateCode: "7", kind: "X" }], // electronic commercial invoice (Circular 32)
    ["6K26NAA", { templateCode: "6", kind: "N" }],
    ["6K26BAA", { kind: "B" }],
    ["5C26GAA", { kind: "G" }],
    ["5C26HAA", { kind: "H" }],
    ["1C26DAA", { kind: "D" }],
    ["1C26LAA", { kind: "L" }],
    ["9C26TAA", { templateCode: "9" }],
    ["1c26taa", { full: "1C26TAA" }],
    [" 1C26TAA ", { full: "1C26TAA" }],
    ["1/C26TAA", { full: "1C26TAA", series: "C26TAA" }],
    ["1-C26TAA", { full: "1C26TAA" }],
    ["1 C26TAA", { full: "1C26TAA" }],
    ["１Ｃ２６ＴＡＡ", { full: "1C26TAA" }], // full-width
  ])("accepts %j", (input, expected) => {
    expect(parseInvoiceSymbol(input)).toMatchObject({ ok: true, ...expected });
  });

  it.each([
    ["", "EMPTY"],
    ["  ", "EMPTY"],
    ["C26TAA", "INVALID_FORMAT"], // the template digit is part of the symbol
    ["1C26TAAA", "INVALID_FORMAT"],
    ["1C26 TAA", "INVALID_FORMAT"],
    ["0C26TAA", "INVALID_TEMPLATE"],
    ["AC26TAA", "INVALID_TEMPLATE"],
    ["1X26TAA", "INVALID_CODE_TYPE"],
    ["1C2ATAA", "INVALID_YEAR"],
    ["1C26ZAA", "INVALID_KIND"],
    ["1C26FAA", "INVALID_KIND"], // F is mentioned in some repositories only, unconfirmed
    ["1C26TA1", "INVALID_SELLER_CODE"],
    ["1C26TĐA", "INVALID_SELLER_CODE"],
    ["1K26MAA", "CASH_REGISTER_REQUIRES_CODE"],
  ])("rejects %j with %s", (input, code) => {
    expect(parseInvoiceSymbol(input)).toEqual({ ok: false, code });
  });

  it.each([
    ["1C26TAA", "2026-01-01", true],
    ["1C26TAA", "2026-12-31", true],
    ["1C26TAA", "2025-12-31", false],
    ["1C26TAA", "2027-01-01", false],
    ["1C25TAA", "2025-07-01", true],
  ])("%s on %s matches the invoice year: %s", (symbol, date, ok) => {
    const result = parseInvoiceSymbol(symbol, date);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, code: "YEAR_MISMATCH" });
  });

  it("refuses a malformed invoice date instead of ignoring it", () => {
    expect(parseInvoiceSymbol("1C26TAA", "2026-02-30")).toEqual({ ok: false, code: "INVALID_INVOICE_DATE" });
  });
});
