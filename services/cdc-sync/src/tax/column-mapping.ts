import { z } from "zod";

/**
 * Which column of commerce's Merchant table feeds which tax field. Configuration, not code
 * (CDC_MERCHANT_COLUMN_MAPPING): commerce's table has columns we do not know about (ignored) and may
 * rename some (the operator changes the mapping, no release needed).
 *
 * Required fields always name a column. Optional fields name a column or null ("the table does not
 * carry it"). A mapped column missing from a change event's row is a MAPPING_COLUMN_MISSING error:
 * the record goes to the DLQ with that reason, a metric counts it per field, and the log names the
 * column — after fixing the mapping the operator replays the DLQ (LSN ordering makes that safe).
 */
export interface ColumnMapping {
  /** The merchant's id; must be (part of) the table's primary key, so deletes carry it. */
  merchantId: string;
  taxCode: string;
  legalName: string;
  address: string;
  provinceCode: string | null;
  communeCode: string | null;
  email: string | null;
  phone: string | null;
  vatMethod: string | null;
  /** E-invoice settings: our key → commerce column (e.g. { series: "einvoice_series" }). */
  eInvoice: Record<string, string>;
}

export type TaxField = Exclude<keyof ColumnMapping, "merchantId">;

/** The columns of the Merchant table as our fixture (and commerce's documented schema) has them. */
export const DEFAULT_COLUMN_MAPPING: ColumnMapping = {
  merchantId: "id",
  taxCode: "tax_code",
  legalName: "legal_name",
  address: "address",
  provinceCode: "province_code",
  communeCode: "commune_code",
  email: "email",
  phone: "phone",
  vatMethod: "vat_method",
  eInvoice: {
    enabled: "einvoice_enabled",
    templateCode: "einvoice_template_code",
    series: "einvoice_series",
  },
};

const column = z.string().min(1).max(63);
const optionalColumn = column.nullable();

const mappingSchema = z
  .object({
    merchantId: column,
    taxCode: column,
    legalName: column,
    address: column,
    provinceCode: optionalColumn,
    communeCode: optionalColumn,
    email: optionalColumn,
    phone: optionalColumn,
    vatMethod: optionalColumn,
    eInvoice: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), column),
  })
  .partial()
  .strict();

/**
 * Parses the operator's mapping (JSON). Fields left out keep their default; unknown keys are refused
 * (a typo such as "taxcode" must not silently keep the default).
 */
export function parseColumnMapping(
  json: string | undefined,
): { ok: true; mapping: ColumnMapping } | { ok: false; error: string } {
  if (json === undefined || json.trim() === "") return { ok: true, mapping: DEFAULT_COLUMN_MAPPING };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "),
    };
  }
  return { ok: true, mapping: { ...DEFAULT_COLUMN_MAPPING, ...parsed.data } };
}

/** Every column the mapping reads, for the start-up check against the commerce table. */
export function mappedColumns(mapping: ColumnMapping): string[] {
  const { eInvoice, ...scalars } = mapping;
  return [...Object.values(scalars).filter((c): c is string => c !== null), ...Object.values(eInvoice)];
}
