import { describe, expect, it } from "vitest";
import {
  type AdministrativeUnits,
  type ClaimFormValues,
  checkTaxCode,
  readClaimForm,
  validateClaimForm,
} from "./claim-form.ts";

/** Two provinces and three communes with their official codes (the seed has all 34 / 3,321). */
const UNITS: AdministrativeUnits = {
  province: (code) =>
    ({ "01": { code: "01", name: "Thành phố Hà Nội" }, "79": { code: "79", name: "Thành phố Hồ Chí Minh" } })[
      code
    ],
  commune: (code) =>
    (
      ({
        "00004": { code: "00004", name: "Phường Ba Đình", provinceCode: "01" },
        "26740": { code: "26740", name: "Phường Sài Gòn", provinceCode: "79" },
      }) as Record<string, { code: string; name: string; provinceCode: string }>
    )[code],
};

const company = (overrides: Partial<ClaimFormValues> = {}): ClaimFormValues => ({
  ...readClaimForm({}),
  buyerType: "company",
  taxCode: "0100109106",
  name: "Công ty TNHH Hoa Sen",
  street: "12 Lê Lợi",
  provinceCode: "79",
  communeCode: "26740",
  email: "ketoan@hoasen.vn",
  ...overrides,
});

describe("validateClaimForm", () => {
  it("accepts a company and builds the buyer the issuer receives", () => {
    const result = validateClaimForm(company(), UNITS);
    expect(result).toMatchObject({
      ok: true,
      buyer: {
        kind: "company",
        taxCode: "0100109106",
        name: "Công ty TNHH Hoa Sen",
        address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        email: "ketoan@hoasen.vn",
      },
    });
  });

  it("normalises what phones and Vietnamese keyboards type: NFD marks, full-width digits, stray spaces", () => {
    const nfdName = "Công ty TNHH Hoa Sen".normalize("NFD");
    expect(nfdName).not.toBe("Công ty TNHH Hoa Sen");
    const result = validateClaimForm(
      company({
        taxCode: " ０１００ １０９ １０６－５０６ ",
        name: `  ${nfdName}\u00a0 `,
        street: "12   Lê\tLợi".normalize("NFD"),
        email: " ketoan@hoasen.vn ",
      }),
      UNITS,
    );
    expect(result).toMatchObject({
      ok: true,
      buyer: {
        taxCode: "0100109106-506",
        name: "Công ty TNHH Hoa Sen",
        address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        email: "ketoan@hoasen.vn",
      },
    });
  });

  it("reports every bad field at once, with the tax code's exact problem", () => {
    const result = validateClaimForm(
      company({ taxCode: "0100109107", name: " ", street: "", communeCode: "00004", email: "ketoan@" }),
      UNITS,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { field: "taxCode", code: "TAX_CODE_INVALID_CHECK_DIGIT" },
      { field: "name", code: "REQUIRED" },
      { field: "email", code: "INVALID_EMAIL" },
      { field: "street", code: "REQUIRED" },
      { field: "communeCode", code: "UNKNOWN_COMMUNE" },
    ]);
  });

  it.each<[string, string, string]>([
    ["letters", "MST 0100109106", "TAX_CODE_INVALID_CHARACTERS"],
    ["nine digits", "010010910", "TAX_CODE_INVALID_LENGTH"],
    ["branch 000", "0100109106-000", "TAX_CODE_INVALID_BRANCH_SUFFIX"],
    ["sequence zero", "0100000000", "TAX_CODE_INVALID_SEQUENCE"],
    ["personal id province", "097099012345", "TAX_CODE_INVALID_PROVINCE_CODE"],
  ])("maps the domain's tax-code verdict: %s", (_name, taxCode, code) => {
    const result = validateClaimForm(company({ taxCode }), UNITS);
    expect(result).toMatchObject({ ok: false, errors: [{ field: "taxCode", code }] });
    expect(checkTaxCode(taxCode)).toBe(code);
  });

  it("requires tax code and address of a company, not of an individual", () => {
    expect(
      validateClaimForm(company({ taxCode: "", street: "", provinceCode: "", communeCode: "" }), UNITS),
    ).toMatchObject({
      ok: false,
      errors: [
        { field: "taxCode", code: "REQUIRED" },
        { field: "street", code: "REQUIRED" },
        { field: "provinceCode", code: "REQUIRED" },
        { field: "communeCode", code: "REQUIRED" },
      ],
    });
    const person = validateClaimForm(
      company({
        buyerType: "individual",
        taxCode: "",
        street: "",
        provinceCode: "",
        communeCode: "",
        name: "Nguyễn Văn An",
      }),
      UNITS,
    );
    expect(person).toEqual({
      ok: true,
      buyer: { kind: "individual", name: "Nguyễn Văn An", email: "ketoan@hoasen.vn" },
      values: expect.any(Object),
    });
  });

  it("asks an individual who started an address for the rest of it", () => {
    const result = validateClaimForm(
      company({ buyerType: "individual", taxCode: "", street: "", provinceCode: "01", communeCode: "" }),
      UNITS,
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { field: "street", code: "REQUIRED" },
        { field: "communeCode", code: "REQUIRED" },
      ],
    });
  });

  it("keeps a personal ID for individuals only, and checks it", () => {
    const person = company({ buyerType: "individual", taxCode: "", personalId: "079 203 000 123" });
    expect(validateClaimForm(person, UNITS)).toMatchObject({
      ok: true,
      buyer: { personalId: "079203000123" },
    });
    expect(validateClaimForm({ ...person, personalId: "12345" }, UNITS)).toMatchObject({
      ok: false,
      errors: [{ field: "personalId", code: "PERSONAL_ID_INVALID" }],
    });
    const result = validateClaimForm(company({ personalId: "12345" }), UNITS);
    expect(result.ok).toBe(true);
    expect(result.ok ? result.buyer.personalId : "refused").toBeUndefined();
  });

  it.each([
    ["an unknown buyer type", { buyerType: "robot" }, "buyerType", "INVALID_BUYER_TYPE"],
    ["no buyer type", { buyerType: "" }, "buyerType", "REQUIRED"],
    ["an unknown province", { provinceCode: "99" }, "provinceCode", "UNKNOWN_PROVINCE"],
    ["a control character", { name: "Công ty\u0007 A" }, "name", "INVALID_CHARACTERS"],
    ["a name over 400 characters", { name: "A".repeat(401) }, "name", "TOO_LONG"],
    ["an e-mail over 50 characters", { email: `${"a".repeat(45)}@hoasen.vn` }, "email", "TOO_LONG"],
    ["a megabyte of street", { street: "x".repeat(100_000) }, "street", "TOO_LONG"],
  ])("refuses %s", (_name, overrides, field, code) => {
    const result = validateClaimForm(company(overrides as Partial<ClaimFormValues>), UNITS);
    expect(result).toMatchObject({ ok: false, errors: [{ field, code }] });
  });

  it("refuses an address that is too long only once it is put together", () => {
    const result = validateClaimForm(company({ street: "Số 1 ".repeat(76) }), UNITS);
    expect(result).toMatchObject({ ok: false, errors: [{ field: "street", code: "TOO_LONG" }] });
  });
});

describe("readClaimForm", () => {
  it("takes strings, blanks what is missing, and marks other JSON types instead of coercing them", () => {
    const values = readClaimForm({ taxCode: 100109106, name: ["a", "b"], email: null, extra: "x" });
    expect(values.buyerType).toBe("");
    expect(values.email).toBe("");
    expect(
      validateClaimForm({ ...company(), taxCode: values.taxCode, name: values.name }, UNITS),
    ).toMatchObject({
      ok: false,
      errors: [
        { field: "taxCode", code: "TAX_CODE_INVALID_CHARACTERS" },
        { field: "name", code: "INVALID_CHARACTERS" },
      ],
    });
    expect(readClaimForm("not an object").name).toBe("");
  });
});
