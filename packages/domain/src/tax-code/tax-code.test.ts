import { propertyRuns } from "@invoice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { taxCodeCheckDigit, validatePersonalId, validateTaxCode } from "./tax-code.ts";

describe("validateTaxCode accepts and normalises", () => {
  it.each([
    // Real published codes: Viettel, Vinamilk, FPT, VNPAY, python-stdnum's doctest values.
    ["0100109106", "0100109106", "base"],
    ["0300588569", "0300588569", "base"],
    ["0101248141", "0101248141", "base"],
    ["0100233488", "0100233488", "base"],
    ["0102182292", "0102182292", "base"],
    ["0100109106-506", "0100109106-506", "branch"],
    ["0314409058-002", "0314409058-002", "branch"],
    ["0102182292-998", "0102182292-998", "branch"],
    // Common input forms.
    ["0100109106506", "0100109106-506", "branch"],
    [" 0100109106 ", "0100109106", "base"],
    ["0100 109 106", "0100109106", "base"],
    ["0100.109.106", "0100109106", "base"],
    ["0100109106 - 506", "0100109106-506", "branch"],
    ["0100109106–506", "0100109106-506", "branch"], // en dash
    ["0100109106\u2011506", "0100109106-506", "branch"], // non-breaking hyphen
    ["０１００１０９１０６", "0100109106", "base"], // full-width digits
    ["０１００１０９１０６－５０６", "0100109106-506", "branch"], // full-width hyphen
    ["0100\u00A0109\u00A0106", "0100109106", "base"], // no-break spaces
    ["0100109106/", "0100109106", "base"],
    // 12-digit personal identification numbers (format only).
    ["001099012345", "001099012345", "personal-id"],
    ["079 203 000 123", "079203000123", "personal-id"],
    ["0010 9901 2345", "001099012345", "personal-id"],
    ["096099012345", "096099012345", "personal-id"],
    // The branch form with spaces only, and with a slash.
    ["0100 109 106 506", "0100109106-506", "branch"],
    ["0100109106/506", "0100109106-506", "branch"],
  ])("%j -> %s (%s)", (input, normalized, kind) => {
    expect(validateTaxCode(input)).toEqual({ ok: true, normalized, kind });
  });
});

describe("validateTaxCode rejects with a typed code", () => {
  it.each([
    ["", "EMPTY"],
    ["   ", "EMPTY"],
    ["-", "INVALID_CHARACTERS"],
    ["MST: 0100109106", "INVALID_CHARACTERS"],
    ["O100109106", "INVALID_CHARACTERS"], // letter O, not zero
    ["010010910", "INVALID_LENGTH"],
    ["01001091061", "INVALID_LENGTH"],
    ["01001091065061", "INVALID_LENGTH"],
    ["0100233480", "INVALID_CHECK_DIGIT"],
    ["0100109107", "INVALID_CHECK_DIGIT"],
    ["1000000080", "INVALID_CHECK_DIGIT"], // weighted sum divisible by 11: no digit can be right
    ["1000000089", "INVALID_CHECK_DIGIT"],
    ["0100000000", "INVALID_SEQUENCE"],
    ["0100109106-000", "INVALID_BRANCH_SUFFIX"],
    ["0100109106-50", "INVALID_BRANCH_SUFFIX"], // not a 12-digit personal ID in disguise
    ["0100109106-5066", "INVALID_BRANCH_SUFFIX"],
    // A separator after the tenth digit means the branch form, whatever the separator: these are
    // 12 digits but not personal IDs.
    ["0100 109 106 50", "INVALID_BRANCH_SUFFIX"],
    ["0100109106 50", "INVALID_BRANCH_SUFFIX"],
    ["0100.109.106.50", "INVALID_BRANCH_SUFFIX"],
    ["0100109106/50", "INVALID_BRANCH_SUFFIX"],
    ["0100 109 106 000", "INVALID_BRANCH_SUFFIX"],
    // 12-digit personal IDs: province of birth registration 001-096, never all zero.
    ["000000000000", "INVALID_SEQUENCE"],
    ["000099012345", "INVALID_PROVINCE_CODE"],
    ["097099012345", "INVALID_PROVINCE_CODE"],
    ["999999999999", "INVALID_PROVINCE_CODE"],
    ["0100233480-001", "INVALID_CHECK_DIGIT"],
  ])("%j -> %s", (input, code) => {
    expect(validateTaxCode(input)).toEqual({ ok: false, code });
  });

  it("treats non-string input as empty instead of throwing", () => {
    expect(validateTaxCode(undefined as unknown as string)).toEqual({ ok: false, code: "EMPTY" });
  });
});

describe("check digit", () => {
  it("follows the worked example in the research notes (Viettel 0100109106)", () => {
    expect(taxCodeCheckDigit("010010910")).toBe(6);
  });

  it("has no valid check digit when the weighted sum is divisible by 11", () => {
    expect(taxCodeCheckDigit("100000008")).toBeUndefined();
  });

  it("exactly one final digit validates for any valid prefix (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (prefix) => {
        fc.pre(prefix.slice(2) !== "0000000");
        const valid = [..."0123456789"].filter((d) => validateTaxCode(prefix + d).ok);
        const check = taxCodeCheckDigit(prefix);
        expect(valid).toEqual(check === undefined ? [] : [String(check)]);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it("validation is idempotent on its normalised output (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), fc.integer({ min: 1, max: 999 }), (prefix, branch) => {
        const check = taxCodeCheckDigit(prefix);
        fc.pre(check !== undefined && prefix.slice(2) !== "0000000");
        const input = `${prefix}${check} - ${String(branch).padStart(3, "0")}`;
        const first = validateTaxCode(input);
        expect(first.ok).toBe(true);
        if (first.ok) expect(validateTaxCode(first.normalized)).toEqual(first);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

describe("validatePersonalId", () => {
  it.each([
    ["001099012345", { ok: true, normalized: "001099012345" }],
    ["001 099 012 345", { ok: true, normalized: "001099012345" }],
    ["００１０９９０１２３４５", { ok: true, normalized: "001099012345" }],
    ["", { ok: false, code: "EMPTY" }],
    ["00109901234", { ok: false, code: "INVALID_LENGTH" }],
    ["0010990123456", { ok: false, code: "INVALID_LENGTH" }],
    ["00109901234A", { ok: false, code: "INVALID_CHARACTERS" }],
    ["000000000000", { ok: false, code: "INVALID_SEQUENCE" }],
    ["097203000123", { ok: false, code: "INVALID_PROVINCE_CODE" }],
  ])("%j", (input, expected) => {
    expect(validatePersonalId(input)).toEqual(expected);
  });
});
