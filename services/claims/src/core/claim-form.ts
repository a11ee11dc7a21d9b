/**
 * The claim form: raw input (JSON body or an HTML form post) -> a normalised buyer, or every field
 * error at once. Pure and free of Node APIs: the page script bundles it for as-you-type checks, and the
 * server runs it on every submission (the browser's verdict is never trusted).
 *
 * The rules themselves are @invoice/domain's (validateTaxCode, validatePersonalId, normalizeBuyer):
 * each field is checked by asking the domain about that field alone, so all errors are reported
 * together, and the finished buyer goes through normalizeBuyer as a whole, the same call the issuer's
 * state machine makes on ClaimSubmitted. Normalisation (Unicode NFC, whitespace, full-width digits and
 * dashes) happens there too, so text typed with any Vietnamese keyboard mode is accepted.
 */
import {
  type BuyerErrorCode,
  type BuyerInfo,
  normalizeBuyer,
  normalizeText,
  type TaxCodeErrorCode,
  validatePersonalId,
  validateTaxCode,
} from "@invoice/domain";
import type { FieldErrorCode } from "./messages.ts";

export const CLAIM_FIELDS = [
  "buyerType",
  "taxCode",
  "name",
  "street",
  "provinceCode",
  "communeCode",
  "email",
  "personalId",
] as const;
export type ClaimField = (typeof CLAIM_FIELDS)[number];

/** The form as typed, every field a string ("" when absent), for validation and for re-rendering. */
export type ClaimFormValues = Record<ClaimField, string>;

export interface FieldError {
  field: ClaimField;
  code: FieldErrorCode;
}

export interface AdministrativeUnitRef {
  code: string;
  name: string;
}

/** The seeded administrative units (34 provinces and their communes) the address is chosen from. */
export interface AdministrativeUnits {
  province(code: string): AdministrativeUnitRef | undefined;
  /** A commune with the code of the province it belongs to. */
  commune(code: string): (AdministrativeUnitRef & { provinceCode: string }) | undefined;
}

export type ClaimFormResult =
  | { ok: true; buyer: BuyerInfo; values: ClaimFormValues }
  | { ok: false; errors: FieldError[]; values: ClaimFormValues };

/** Longest raw value looked at; anything longer is refused before any normalisation work. */
const MAX_RAW_LENGTH = 1_000;

/** Reads the form's fields from a parsed body; a non-string value (a number, an array) is kept as "\u0000". */
export function readClaimForm(body: unknown): ClaimFormValues {
  const source = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const values = {} as ClaimFormValues;
  for (const field of CLAIM_FIELDS) {
    const value = source[field];
    values[field] = value === undefined || value === null ? "" : typeof value === "string" ? value : NOT_TEXT;
  }
  return values;
}

/** Marks a value that was not text; refused as invalid characters, never coerced (0100… as a number loses its zero). */
const NOT_TEXT = "\u0000";

const TAX_CODE_ERRORS: Record<TaxCodeErrorCode, FieldErrorCode> = {
  EMPTY: "REQUIRED",
  INVALID_CHARACTERS: "TAX_CODE_INVALID_CHARACTERS",
  INVALID_LENGTH: "TAX_CODE_INVALID_LENGTH",
  INVALID_SEQUENCE: "TAX_CODE_INVALID_SEQUENCE",
  INVALID_CHECK_DIGIT: "TAX_CODE_INVALID_CHECK_DIGIT",
  INVALID_BRANCH_SUFFIX: "TAX_CODE_INVALID_BRANCH_SUFFIX",
  INVALID_PROVINCE_CODE: "TAX_CODE_INVALID_PROVINCE_CODE",
};

function fromBuyerError(code: BuyerErrorCode): FieldErrorCode {
  switch (code) {
    case "INVALID_EMAIL":
    case "INVALID_CHARACTERS":
    case "TOO_LONG":
      return code;
    case "INVALID_TAX_CODE":
      return "TAX_CODE_INVALID_CHARACTERS";
    case "INVALID_PERSONAL_ID":
      return "PERSONAL_ID_INVALID";
    case "INVALID_KIND":
      return "INVALID_BUYER_TYPE";
    default:
      return "REQUIRED";
  }
}

const blank = (value: string) => normalizeText(value) === "";

/** The domain's verdict on one text field, asked alone (a minimal individual buyer around it). */
function textFieldError(field: "name" | "email" | "address", value: string): FieldErrorCode | undefined {
  const probe: BuyerInfo = { kind: "individual", name: field === "name" ? value : "x" };
  if (field !== "name") probe[field] = value;
  const result = normalizeBuyer(probe);
  return result.ok ? undefined : fromBuyerError(result.code);
}

/** One field's error, for the page script's as-you-type checks (same rules as the server). */
export function checkTaxCode(raw: string): FieldErrorCode | undefined {
  if (raw.length > MAX_RAW_LENGTH) return "TOO_LONG";
  if (blank(raw)) return undefined;
  const result = validateTaxCode(raw);
  return result.ok ? undefined : TAX_CODE_ERRORS[result.code];
}

export function checkEmail(raw: string): FieldErrorCode | undefined {
  if (raw.length > MAX_RAW_LENGTH) return "TOO_LONG";
  return blank(raw) ? undefined : textFieldError("email", raw);
}

export function checkPersonalId(raw: string): FieldErrorCode | undefined {
  if (raw.length > MAX_RAW_LENGTH) return "TOO_LONG";
  if (blank(raw)) return undefined;
  return validatePersonalId(raw).ok ? undefined : "PERSONAL_ID_INVALID";
}

function checkText(raw: string, field: "name" | "email"): FieldErrorCode | undefined {
  if (raw.length > MAX_RAW_LENGTH) return "TOO_LONG";
  return textFieldError(field, raw);
}

/**
 * Validates the whole form. A company (công ty/tổ chức) needs tax code, name, full address and e-mail
 * (Decree 123 Art. 10(5): name, address and tax code are mandatory for a business buyer); an
 * individual needs name and e-mail, and a tax code, personal ID or address only when given (an address
 * then needs street, province and commune). A personal ID is for individuals and ignored otherwise.
 */
export function validateClaimForm(values: ClaimFormValues, units: AdministrativeUnits): ClaimFormResult {
  const errors: FieldError[] = [];
  const fail = (field: ClaimField, code: FieldErrorCode) => void errors.push({ field, code });
  const kind =
    values.buyerType === "company" || values.buyerType === "individual" ? values.buyerType : undefined;
  if (!kind) fail("buyerType", values.buyerType === "" ? "REQUIRED" : "INVALID_BUYER_TYPE");
  const company = kind === "company";

  if (blank(values.taxCode)) {
    if (company) fail("taxCode", "REQUIRED");
  } else {
    const code = checkTaxCode(values.taxCode);
    if (code) fail("taxCode", code);
  }

  const nameError = checkText(values.name, "name");
  if (nameError) fail("name", nameError);

  if (blank(values.email)) fail("email", "REQUIRED");
  else {
    const code = checkText(values.email, "email");
    if (code) fail("email", code);
  }

  const wantsAddress =
    company || !blank(values.street) || !blank(values.provinceCode) || !blank(values.communeCode);
  let address: string | undefined;
  if (wantsAddress) address = checkAddress(values, units, fail);

  const personalId = kind === "individual" && !blank(values.personalId) ? values.personalId : undefined;
  if (personalId !== undefined) {
    const code = checkPersonalId(personalId);
    if (code) fail("personalId", code);
  }

  if (errors.length > 0 || !kind) return { ok: false, errors, values };
  const result = normalizeBuyer({
    kind,
    name: values.name,
    ...(blank(values.taxCode) ? {} : { taxCode: values.taxCode }),
    ...(address === undefined ? {} : { address }),
    email: values.email,
    ...(personalId === undefined ? {} : { personalId }),
  });
  if (!result.ok) {
    // Every field was accepted alone; the domain still has the last word on the buyer as a whole.
    const field: ClaimField = result.field === "address" ? "street" : (result.field as ClaimField);
    return { ok: false, errors: [{ field, code: fromBuyerError(result.code) }], values };
  }
  return { ok: true, buyer: result.buyer, values };
}

/** Street, commune and province as one address line: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh". */
function checkAddress(
  values: ClaimFormValues,
  units: AdministrativeUnits,
  fail: (field: ClaimField, code: FieldErrorCode) => void,
): string | undefined {
  let failed = false;
  const refuse = (field: ClaimField, code: FieldErrorCode) => {
    failed = true;
    fail(field, code);
  };
  if (blank(values.street)) refuse("street", "REQUIRED");
  else if (values.street.length > MAX_RAW_LENGTH) refuse("street", "TOO_LONG");
  else {
    const code = textFieldError("address", values.street);
    if (code) refuse("street", code);
  }
  const province = blank(values.provinceCode) ? undefined : units.province(values.provinceCode.trim());
  if (blank(values.provinceCode)) refuse("provinceCode", "REQUIRED");
  else if (!province) refuse("provinceCode", "UNKNOWN_PROVINCE");
  const commune = blank(values.communeCode) ? undefined : units.commune(values.communeCode.trim());
  if (blank(values.communeCode)) refuse("communeCode", "REQUIRED");
  else if (!commune || (province && commune.provinceCode !== province.code))
    refuse("communeCode", "UNKNOWN_COMMUNE");
  if (failed || !province || !commune) return undefined;
  const address = `${normalizeText(values.street)}, ${commune.name}, ${province.name}`;
  const code = textFieldError("address", address);
  if (code) {
    fail("street", code);
    return undefined;
  }
  return address;
}
