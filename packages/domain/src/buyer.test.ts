import { describe, expect, it } from "vitest";
import { normalizeBuyer, sameBuyer, sameTaxIdentity } from "./buyer.ts";
import type { BuyerInfo } from "./events.ts";

const company: BuyerInfo = { kind: "company", name: "Công ty A", taxCode: "0100109106", address: "Hà Nội" };

describe("normalizeBuyer", () => {
  it("normalises text and identifiers", () => {
    expect(
      normalizeBuyer({
        kind: "individual",
        name: "  Nguye\u0302\u0303n   Văn B ",
        taxCode: "0100 109 106",
        personalId: "001 099 012 345",
        email: " b@example.vn ",
        address: "",
      }),
    ).toEqual({
      ok: true,
      buyer: {
        kind: "individual",
        name: "Nguyễn Văn B",
        taxCode: "0100109106",
        personalId: "001099012345",
        email: "b@example.vn",
      },
    });
  });

  it.each<[unknown, string, string]>([
    [undefined, "INVALID_KIND", "kind"],
    [{ ...company, kind: "robot" }, "INVALID_KIND", "kind"],
    [{ ...company, name: "  " }, "NAME_REQUIRED", "name"],
    [{ ...company, taxCode: undefined }, "TAX_CODE_REQUIRED", "taxCode"],
    [{ ...company, taxCode: "0100109107" }, "INVALID_TAX_CODE", "taxCode"],
    [{ ...company, address: undefined }, "ADDRESS_REQUIRED", "address"],
    [{ ...company, email: "not-an-email" }, "INVALID_EMAIL", "email"],
    [{ ...company, name: "x".repeat(401) }, "TOO_LONG", "name"],
    [{ ...company, name: "A\u0000B" }, "INVALID_CHARACTERS", "name"],
    [{ kind: "individual", name: "C", personalId: "123" }, "INVALID_PERSONAL_ID", "personalId"],
  ])("case %#: %s", (input, code, field) => {
    expect(normalizeBuyer(input as BuyerInfo)).toMatchObject({ ok: false, code, field });
  });

  it("says which tax-code rule failed", () => {
    expect(normalizeBuyer({ ...company, taxCode: "0100233480" })).toMatchObject({
      taxCodeError: "INVALID_CHECK_DIGIT",
    });
  });
});

describe("sameBuyer / sameTaxIdentity", () => {
  it("ignores case, e-mail and Unicode form, not tax code or address", () => {
    expect(sameBuyer(company, { ...company, name: "CÔNG TY A".normalize("NFD"), email: "x@y.vn" })).toBe(
      true,
    );
    expect(sameBuyer(company, { ...company, taxCode: "0300588569" })).toBe(false);
    expect(sameBuyer(company, { ...company, address: "Huế" })).toBe(false);
    expect(sameBuyer({ kind: "anonymous" }, { kind: "anonymous" })).toBe(true);
    expect(sameBuyer({ kind: "anonymous" }, company)).toBe(false);
  });

  it("recognises a name/address-only difference under the same tax code", () => {
    expect(sameTaxIdentity(company, { ...company, name: "Công ty A (đổi tên)" })).toBe(true);
    expect(sameTaxIdentity(company, { ...company, taxCode: "0300588569" })).toBe(false);
    expect(sameTaxIdentity({ kind: "anonymous" }, company)).toBe(false);
    expect(sameTaxIdentity({ kind: "individual", name: "A" }, { kind: "individual", name: "B" })).toBe(false);
  });
});
