import { Prisma } from "@invoice/db";

/**
 * Schema-qualified table names for raw SQL. The Prisma adapter qualifies its own queries with the
 * URL's `?schema=` (default "invoice"), but raw SQL resolves names through search_path, which does not
 * include it: an unqualified "TaxInfo" is "relation does not exist" in production.
 */
export function invoiceTables(schema: string) {
  const q = (table: string) => Prisma.raw(`"${schema.replaceAll('"', '""')}"."${table}"`);
  return {
    taxInfo: q("TaxInfo"),
    merchantProfile: q("MerchantProfile"),
    taxInfoAudit: q("TaxInfoAudit"),
    taxInfoDrift: q("TaxInfoDrift"),
  };
}

export type InvoiceTables = ReturnType<typeof invoiceTables>;
