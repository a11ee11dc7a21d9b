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
    // Kind letters that do not go with the template digit (KINDS_BY_TEMPLATE).
    ["1K26NAA", "KIND_TEMPLATE_MISMATCH"], // internal transfer note on a VAT invoice template
    ["1K26BAA", "KIND_TEMPLATE_MISMATCH"], // agent delivery note
    ["1C26XAA", "KIND_TEMPLATE_MISMATCH"], // electronic commercial invoice
    ["1C26HAA", "KIND_TEMPLATE_MISMATCH"], // sales-invoice ticket on a VAT template
    ["2C26GAA", "KIND_TEMPLATE_MISMATCH"], // VAT ticket on a sales-invoice template
    ["6K26TAA", "KIND_TEMPLATE_MISMATCH"], // delivery notes are N or B
    ["7K26TAA", "KIND_TEMPLATE_MISMATCH"], // commercial invoices are X
    ["3C26TAA", "KIND_TEMPLATE_MISMATCH"], // public-asset sales are D
    ["8C26MAA", "KIND_TEMPLATE_MISMATCH"],
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

  it("every template digit accepts its kind letters and only those", () => {
    const letters = ["T", "D", "L", "M", "N", "B", "G", "H", "X"];
    const accepted = Object.fromEntries(
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((t) => [
        t,
        letters.filter((k) => parseInvoiceSymbol(`${t}C26${k}AA`).ok).join(""),
      ]),
    );
    expect(accepted).toEqual({
      "1": "TDLMG",
      "2": "TDLMH",
      "3": "D",
      "4": "D",
      "5": "TGH",
      "6": "NB",
      "7": "X",
      "8": "T",
      "9": "T",
    });
  });

  it("refuses a malformed invoice date instead of ignoring it", () => {
    expect(parseInvoiceSymbol("1C26TAA", "2026-02-30")).toEqual({ ok: false, code: "INVALID_INVOICE_DATE" });
  });
});
