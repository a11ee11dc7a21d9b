import { charLength, hasInvalidXmlChar, normalizeText } from "./document/text.ts";
import type { BuyerInfo, InvoiceBuyer } from "./events.ts";
import { type TaxCodeErrorCode, validatePersonalId, validateTaxCode } from "./tax-code/tax-code.ts";

export type BuyerErrorCode =
  | "INVALID_KIND"
  | "NAME_REQUIRED"
  | "ADDRESS_REQUIRED"
  | "TAX_CODE_REQUIRED"
  | "INVALID_TAX_CODE"
  | "INVALID_PERSONAL_ID"
  | "INVALID_EMAIL"
  | "INVALID_CHARACTERS"
  | "TOO_LONG";

export type BuyerResult =
  | { ok: true; buyer: BuyerInfo }
  | { ok: false; code: BuyerErrorCode; field: string; taxCodeError?: TaxCodeErrorCode };

/** XML `NMua` limits: Ten 400, DChi 400, DCTDTu 50, SDThoai 20. */
const LIMITS = { name: 400, address: 400, email: 50, phone: 20 } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(value: string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const normalized = normalizeText(String(value));
  return normalized === "" ? undefined : normalized;
}

/**
 * Validates and normalises buyer information (NFC text, normalised tax code and personal ID).
 * A company (or household business) needs name, address and tax code: Decree 123 Art. 10(5) makes
 * all three mandatory when the buyer is a business. An individual needs a name; tax code and
 * personal ID are optional but must be valid when given.
 */
export function normalizeBuyer(input: BuyerInfo | undefined): BuyerResult {
  if (!input || (input.kind !== "company" && input.kind !== "individual")) {
    return { ok: false, code: "INVALID_KIND", field: "kind" };
  }
  const name = text(input.name);
  const address = text(input.address);
  const email = text(input.email);
  const phone = text(input.phone);
  for (const [field, value] of [
    ["name", name],
    ["address", address],
    ["email", email],
    ["phone", phone],
  ] as const) {
    if (value === undefined) continue;
    if (hasInvalidXmlChar(value)) return { ok: false, code: "INVALID_CHARACTERS", field };
    if (charLength(value) > LIMITS[field]) return { ok: false, code: "TOO_LONG", field };
  }
  if (!name) return { ok: false, code: "NAME_REQUIRED", field: "name" };
  if (email && !EMAIL.test(email)) return { ok: false, code: "INVALID_EMAIL", field: "email" };

  const buyer: BuyerInfo = { kind: input.kind, name };
  const rawTaxCode = text(input.taxCode);
  if (rawTaxCode) {
    const taxCode = validateTaxCode(rawTaxCode);
    if (!taxCode.ok)
      return { ok: false, code: "INVALID_TAX_CODE", field: "taxCode", taxCodeError: taxCode.code };
    buyer.taxCode = taxCode.normalized;
  } else if (input.kind === "company") {
    return { ok: false, code: "TAX_CODE_REQUIRED", field: "taxCode" };
  }
  if (input.kind === "company" && !address) return { ok: false, code: "ADDRESS_REQUIRED", field: "address" };
  if (address) buyer.address = address;
  if (email) buyer.email = email;
  if (phone) buyer.phone = phone;
  const rawPersonalId = text(input.personalId);
  if (rawPersonalId) {
    const personalId = validatePersonalId(rawPersonalId);
    if (!personalId.ok) return { ok: false, code: "INVALID_PERSONAL_ID", field: "personalId" };
    buyer.personalId = personalId.normalized;
  }
  return { ok: true, buyer };
}

function fold(value: string | undefined): string {
  return (value ?? "").normalize("NFC").toLocaleLowerCase("vi");
}

/**
 * Same buyer as far as the invoice is concerned: kind, tax code, personal ID, name and address
 * (case-insensitive, after normalisation). E-mail and phone are contact details and do not count.
 */
export function sameBuyer(a: InvoiceBuyer, b: InvoiceBuyer): boolean {
  if (a.kind === "anonymous" || b.kind === "anonymous") return a.kind === b.kind;
  return (
    a.kind === b.kind &&
    (a.taxCode ?? "") === (b.taxCode ?? "") &&
    (a.personalId ?? "") === (b.personalId ?? "") &&
    fold(a.name) === fold(b.name) &&
    fold(a.address) === fold(b.address)
  );
}

/**
 * Both buyers carry the same tax code and differ at most in name/address. Under Decree 70 such an
 * error on an issued invoice is fixed by notifying the buyer and the tax authority (Form 04/SS-HĐĐT),
 * not by a new invoice.
 */
export function sameTaxIdentity(a: InvoiceBuyer, b: InvoiceBuyer): boolean {
  if (a.kind === "anonymous" || b.kind === "anonymous") return false;
  return a.kind === b.kind && a.taxCode !== undefined && a.taxCode === b.taxCode;
}
