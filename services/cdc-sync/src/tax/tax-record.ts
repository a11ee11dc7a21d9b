import { validateTaxCode } from "@invoice/domain";
import type { ColumnMapping } from "./column-mapping.ts";

/** A merchant's tax details as cdc-sync keeps them (TaxInfo columns, and metadata.tax). */
export interface TaxRecord {
  taxCode: string;
  /** validateTaxCode's error code, or null when the code is valid. */
  taxCodeIssue: string | null;
  legalName: string;
  address: string;
  provinceCode: string | null;
  communeCode: string | null;
  email: string | null;
  phone: string | null;
  vatMethod: string | null;
  /** Null when the mapping carries no e-invoice columns. */
  eInvoiceSettings: Record<string, EInvoiceValue> | null;
}

export type EInvoiceValue = string | number | boolean | null;

/** The tax-relevant fields compared by the diff, in a stable order. */
export const TAX_FIELDS = [
  "taxCode",
  "legalName",
  "address",
  "provinceCode",
  "communeCode",
  "email",
  "phone",
  "vatMethod",
  "eInvoiceSettings",
] as const satisfies readonly (keyof TaxRecord)[];

export type TaxRecordField = (typeof TAX_FIELDS)[number];

/**
 * Debezium writes this placeholder for a TOASTed column an UPDATE did not touch (REPLICA IDENTITY
 * DEFAULT): the value is unknown, not changed.
 */
export const UNAVAILABLE_VALUE = "__debezium_unavailable_value";

export type ExtractErrorCode =
  /** The mapping names a column the row does not have: the operator must fix the mapping. */
  | "MAPPING_COLUMN_MISSING"
  /** A column holds a type we cannot read as the field (an object where a string belongs). */
  | "MAPPING_TYPE_MISMATCH"
  /** A TOASTed value was not sent and there is no stored value to keep. */
  | "VALUE_UNAVAILABLE";

export type ExtractResult =
  | { ok: true; merchantId: string; record: TaxRecord }
  | { ok: false; code: ExtractErrorCode; field: string; column: string; message: string };

type Row = Record<string, unknown>;

class ExtractFailure extends Error {
  constructor(
    readonly code: ExtractErrorCode,
    readonly field: string,
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

function readColumn(row: Row, field: string, column: string): unknown {
  if (!Object.hasOwn(row, column)) {
    throw new ExtractFailure(
      "MAPPING_COLUMN_MISSING",
      field,
      column,
      `column "${column}" (mapped to ${field}) is not in the Merchant row; columns present: ${Object.keys(row).sort().join(", ")}`,
    );
  }
  return row[column];
}

function asText(value: unknown, field: string, column: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  // A numeric column (bigint tax code, say) is read as its decimal text, exactly as stored.
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new ExtractFailure(
    "MAPPING_TYPE_MISMATCH",
    field,
    column,
    `column "${column}" (mapped to ${field}) holds a ${typeof value}, expected text`,
  );
}

function asSetting(value: unknown, field: string, column: string): EInvoiceValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return value.toString();
  throw new ExtractFailure(
    "MAPPING_TYPE_MISMATCH",
    field,
    column,
    `column "${column}" (mapped to ${field}) holds a ${typeof value}, expected a scalar`,
  );
}

/**
 * Reads the tax-relevant fields out of a Debezium row image through the mapping. Unknown columns are
 * ignored. `previous` (the stored record) fills values Debezium marked unavailable (TOAST). Values are
 * kept as commerce holds them; the tax code is validated and its issue recorded, never corrected.
 */
export function extractTaxRecord(row: Row, mapping: ColumnMapping, previous?: TaxRecord): ExtractResult {
  try {
    const keep = <F extends TaxRecordField>(field: F, value: TaxRecord[F] | typeof UNAVAILABLE_VALUE) => {
      if (value !== UNAVAILABLE_VALUE) return value;
      if (previous === undefined) {
        throw new ExtractFailure(
          "VALUE_UNAVAILABLE",
          field,
          String(mapping[field as keyof ColumnMapping] ?? field),
          `${field} was not sent (unchanged TOAST value) and nothing is stored yet; set REPLICA IDENTITY FULL on the table or re-sync the merchant`,
        );
      }
      return previous[field];
    };
    const text = (field: Exclude<TaxRecordField, "eInvoiceSettings">, column: string | null) =>
      column === null ? null : asText(readColumn(row, field, column), field, column);
    const required = (field: "taxCode" | "legalName" | "address") => text(field, mapping[field]) ?? "";

    const merchantId = asText(
      readColumn(row, "merchantId", mapping.merchantId),
      "merchantId",
      mapping.merchantId,
    );
    if (merchantId === null || merchantId === "") {
      throw new ExtractFailure(
        "MAPPING_TYPE_MISMATCH",
        "merchantId",
        mapping.merchantId,
        `column "${mapping.merchantId}" (mapped to merchantId) is empty`,
      );
    }
    const settingsEntries = Object.entries(mapping.eInvoice);
    let eInvoiceSettings: TaxRecord["eInvoiceSettings"] | typeof UNAVAILABLE_VALUE = null;
    if (settingsEntries.length > 0) {
      const settings: Record<string, EInvoiceValue> = {};
      for (const [key, column] of settingsEntries) {
        const value = asSetting(readColumn(row, `eInvoice.${key}`, column), `eInvoice.${key}`, column);
        if (value === UNAVAILABLE_VALUE) {
          eInvoiceSettings = UNAVAILABLE_VALUE;
          break;
        }
        settings[key] = value;
      }
      if (eInvoiceSettings !== UNAVAILABLE_VALUE) eInvoiceSettings = settings;
    }
    const taxCode = keep("taxCode", required("taxCode"));
    const validation = validateTaxCode(taxCode);
    const record: TaxRecord = {
      taxCode,
      taxCodeIssue: validation.ok ? null : validation.code,
      legalName: keep("legalName", required("legalName")),
      address: keep("address", required("address")),
      provinceCode: keep("provinceCode", text("provinceCode", mapping.provinceCode)),
      communeCode: keep("communeCode", text("communeCode", mapping.communeCode)),
      email: keep("email", text("email", mapping.email)),
      phone: keep("phone", text("phone", mapping.phone)),
      vatMethod: keep("vatMethod", text("vatMethod", mapping.vatMethod)),
      eInvoiceSettings: keep("eInvoiceSettings", eInvoiceSettings),
    };
    return { ok: true, merchantId, record };
  } catch (error) {
    if (error instanceof ExtractFailure) {
      return {
        ok: false,
        code: error.code,
        field: error.field,
        column: error.column,
        message: error.message,
      };
    }
    throw error;
  }
}

/** Reads only the merchant id (delete events under REPLICA IDENTITY DEFAULT carry just the key). */
export function extractMerchantId(row: Row, mapping: ColumnMapping): string | undefined {
  const value = row[mapping.merchantId];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return undefined;
}

/** Deep equality of JSON-like values, object key order ignored (jsonb reorders keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join("\u0000") !== kb.join("\u0000")) return false;
  return ka.every((k) => sameValue((a as Row)[k], (b as Row)[k]));
}

/** The tax fields whose values differ (exact comparison: a changed space is a change). */
export function diffTaxRecords(before: TaxRecord, after: TaxRecord): TaxRecordField[] {
  return TAX_FIELDS.filter((field) => !sameValue(before[field], after[field]));
}
