import { cleanIdentifier, normalizeSeparators } from "./normalize-identifier.ts";

/**
 * - `base`: 10-digit mã số thuế (enterprises, organisations; individuals before 1 Jul 2025);
 * - `branch`: 13-digit code of a dependent unit (branch, business location), written `NNNNNNNNNN-NNN`;
 * - `personal-id`: 12-digit personal identification number (số định danh cá nhân), used as the tax code
 *   of individuals and household businesses since 1 Jul 2025 (Circular 86/2024). It has no public
 *   check digit; we check its format and its province-of-registration code (first three digits).
 */
export type TaxCodeKind = "base" | "branch" | "personal-id";

export type TaxCodeErrorCode =
  | "EMPTY"
  | "INVALID_CHARACTERS"
  | "INVALID_LENGTH"
  | "INVALID_SEQUENCE"
  | "INVALID_CHECK_DIGIT"
  | "INVALID_BRANCH_SUFFIX"
  | "INVALID_PROVINCE_CODE";

export type TaxCodeResult =
  | { ok: true; normalized: string; kind: TaxCodeKind }
  | { ok: false; code: TaxCodeErrorCode };

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/**
 * The check digit of a 10-digit tax code from its first nine digits, or undefined when the weighted
 * sum is divisible by 11 (10 - 0 = 10 is not a digit: no valid code has that prefix).
 */
export function taxCodeCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) throw new RangeError("expected nine digits");
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(firstNine[i]), 0);
  const check = 10 - (sum % 11);
  return check === 10 ? undefined : check;
}

function checkBase(digits: string): TaxCodeErrorCode | undefined {
  // N3..N9 is the sequence number, 0000001-9999999.
  if (digits.slice(2, 9) === "0000000") return "INVALID_SEQUENCE";
  if (taxCodeCheckDigit(digits.slice(0, 9)) !== Number(digits[9])) return "INVALID_CHECK_DIGIT";
  return undefined;
}

/**
 * True when the input separates its first ten digits from more digits (`0100109106-506`,
 * `0100 109 106 506`, `0100109106 / 50`): that is the branch form, ten-digit code plus unit suffix,
 * whatever the separator. Digits typed without a break there (`001099012345`) can be a personal ID.
 */
function separatedAfterTenDigits(input: string): boolean {
  return /^\D*(?:\d\D*){9}\d\D+\d/.test(normalizeSeparators(input));
}

/**
 * Personal identification number plausibility (Decree 137/2015 Art. 13, Circular 07/2016/TT-BCA):
 * the first three digits are the province (or country) of birth registration, 001-096. An all-zero
 * number is refused outright. There is no check digit to verify.
 */
function checkPersonalId(digits: string): "INVALID_SEQUENCE" | "INVALID_PROVINCE_CODE" | undefined {
  if (/^0+$/.test(digits)) return "INVALID_SEQUENCE";
  const province = Number(digits.slice(0, 3));
  if (province < 1 || province > 96) return "INVALID_PROVINCE_CODE";
  return undefined;
}

/**
 * Validates and normalises a Vietnamese tax code: `0100109106`, `0100109106-506` (also typed as
 * `0100109106506`, `0100 109 106 - 506`, `０１００１０９１０６`), or a 12-digit personal ID.
 * The normalised form is what goes into XML `MST` (at most 14 characters).
 */
export function validateTaxCode(input: string): TaxCodeResult {
  if (typeof input !== "string") return { ok: false, code: "EMPTY" };
  const cleaned = cleanIdentifier(input);
  if (cleaned.replace(/-/g, "") === "")
    return { ok: false, code: cleaned === "" ? "EMPTY" : "INVALID_CHARACTERS" };
  if (!/^[\d-]+$/.test(cleaned)) return { ok: false, code: "INVALID_CHARACTERS" };
  const digits = cleaned.replace(/-/g, "");
  // A separator right after ten digits is the branch form: do not let "0100109106-50" or
  // "0100 109 106 50" pass as a 12-digit personal ID.
  const branchForm = separatedAfterTenDigits(input);
  if (branchForm && digits.length !== 13) return { ok: false, code: "INVALID_BRANCH_SUFFIX" };
  switch (digits.length) {
    case 10: {
      const error = checkBase(digits);
      return error ? { ok: false, code: error } : { ok: true, normalized: digits, kind: "base" };
    }
    case 13: {
      const error = checkBase(digits.slice(0, 10));
      if (error) return { ok: false, code: error };
      if (digits.slice(10) === "000") return { ok: false, code: "INVALID_BRANCH_SUFFIX" };
      return { ok: true, normalized: `${digits.slice(0, 10)}-${digits.slice(10)}`, kind: "branch" };
    }
    case 12: {
      const error = checkPersonalId(digits);
      return error ? { ok: false, code: error } : { ok: true, normalized: digits, kind: "personal-id" };
    }
    default:
      return { ok: false, code: "INVALID_LENGTH" };
  }
}

export type PersonalIdErrorCode =
  | "EMPTY"
  | "INVALID_CHARACTERS"
  | "INVALID_LENGTH"
  | "INVALID_SEQUENCE"
  | "INVALID_PROVINCE_CODE";

export type PersonalIdResult = { ok: true; normalized: string } | { ok: false; code: PersonalIdErrorCode };

/**
 * A 12-digit personal identification number / citizen ID (CCCD, XML `NMua/CCCDan`): format and
 * province code (001-096); the number has no public check digit.
 */
export function validatePersonalId(input: string): PersonalIdResult {
  if (typeof input !== "string") return { ok: false, code: "EMPTY" };
  const cleaned = cleanIdentifier(input).replace(/-/g, "");
  if (cleaned === "") return { ok: false, code: "EMPTY" };
  if (!/^\d+$/.test(cleaned)) return { ok: false, code: "INVALID_CHARACTERS" };
  if (cleaned.length !== 12) return { ok: false, code: "INVALID_LENGTH" };
  const error = checkPersonalId(cleaned);
  return error ? { ok: false, code: error } : { ok: true, normalized: cleaned };
}
