import type { PrismaClient } from "@invoice/db";
import { classifyDatabaseError } from "@invoice/errors";
import type { IdGenerator } from "@invoice/ids";
import type { StoredTaxInfo } from "../tax/decide-change.ts";
import { TAX_FIELDS, type TaxRecord } from "../tax/tax-record.ts";
import { invoiceTables } from "./tables.ts";
import { type LockedPlan, metadataTaxOf, type TaxInfoStore, type TaxWrite } from "./tax-info-store.ts";

type TaxInfoRow = TaxRecord & { merchantId: string; sourceLsn: bigint; deletedAt: Date | null };

const RECORD_FIELDS = [...TAX_FIELDS, "taxCodeIssue"] as const;

/** The TaxRecord part of a TaxInfo row (any row carrying the record's columns). */
export function recordOfRow(row: TaxRecord): TaxRecord {
  return Object.fromEntries(RECORD_FIELDS.map((field) => [field, row[field]])) as unknown as TaxRecord;
}

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

/**
 * The TaxInfoStore on PostgreSQL through Prisma (raw SQL: set-based writes, one statement per table
 * per batch, whatever the batch size). `now` is injected for the syncedAt/updatedAt columns.
 */
export function createPrismaTaxInfoStore(options: {
  prisma: PrismaClient;
  ids: IdGenerator;
  /** PostgreSQL schema of the tables (the database URL's ?schema=, default "invoice"). */
  schema?: string;
  now?: () => Date;
  /** Transaction timeout; a batch holding row locks longer than this is rolled back. */
  transactionTimeoutMs?: number;
}): TaxInfoStore {
  const { prisma, ids } = options;
  const now = options.now ?? (() => new Date());
  const t = invoiceTables(options.schema ?? "invoice");
  return {
    async withLockedMerchants<T>(
      merchantIds: readonly string[],
      plan: (current: ReadonlyMap<string, StoredTaxInfo>) => LockedPlan<T>,
    ) {
      const sorted = [...new Set(merchantIds)].sort();
      try {
        return await prisma.$transaction(
          async (tx) => {
            const rows = await tx.$queryRaw<TaxInfoRow[]>`
              SELECT "merchantId", "taxCode", "taxCodeIssue", "legalName", "address", "provinceCode",
                     "communeCode", "email", "phone", "vatMethod", "eInvoiceSettings", "sourceLsn", "deletedAt"
              FROM ${t.taxInfo} WHERE "merchantId" = ANY(${sorted}::varchar[])
              ORDER BY "merchantId" FOR UPDATE`;
            const current = new Map<string, StoredTaxInfo>(
              rows.map((r) => [
                r.merchantId,
                { record: recordOfRow(r), sourceLsn: BigInt(r.sourceLsn), deleted: r.deletedAt !== null },
              ]),
            );
            const { writes, result } = plan(current);
            const written = writes.length === 0 ? new Set<string>() : await write(tx as never, writes, now());
            return { result, written };
          },
          { timeout: options.transactionTimeoutMs ?? 15_000, maxWait: 10_000 },
        );
      } catch (error) {
        throw classifyDatabaseError(error);
      }
    },
  };

  async function write(tx: PrismaClient, writes: TaxWrite[], at: Date): Promise<Set<string>> {
    // One row per merchant in the set-based statements (ON CONFLICT cannot touch a row twice): the
    // last write of a merchant is its final state; every write keeps its own audit row.
    const last = [...new Map(writes.map((w) => [w.merchantId, w])).values()];
    const rows = last.map((w) => ({
      merchantId: w.merchantId,
      ...w.record,
      sourceLsn: w.position.lsn.toString(),
      sourceTxId: w.position.txId?.toString() ?? null,
      sourceEventAt: w.position.eventAt.toISOString(),
      deleted: w.deleted,
    }));
    const upserted = await tx.$queryRaw<Array<{ merchantId: string }>>`
      INSERT INTO ${t.taxInfo} AS cur ("merchantId", "taxCode", "taxCodeValid", "taxCodeIssue", "legalName", "address",
        "provinceCode", "communeCode", "email", "phone", "vatMethod", "eInvoiceSettings", "sourceLsn",
        "sourceTxId", "sourceEventAt", "syncedAt", "updatedAt", "deletedAt")
      SELECT x."merchantId", x."taxCode", x."taxCodeIssue" IS NULL, x."taxCodeIssue", x."legalName", x."address",
        x."provinceCode", x."communeCode", x."email", x."phone", x."vatMethod", x."eInvoiceSettings",
        x."sourceLsn"::bigint, x."sourceTxId"::bigint, x."sourceEventAt"::timestamptz, ${at}, ${at},
        CASE WHEN x."deleted" THEN ${at}::timestamptz END
      FROM jsonb_to_recordset(${json(rows)}::jsonb) AS x("merchantId" text, "taxCode" text, "taxCodeIssue" text,
        "legalName" text, "address" text, "provinceCode" text, "communeCode" text, "email" text, "phone" text,
        "vatMethod" text, "eInvoiceSettings" jsonb, "sourceLsn" text, "sourceTxId" text, "sourceEventAt" text,
        "deleted" boolean)
      ON CONFLICT ("merchantId") DO UPDATE SET
        "taxCode" = EXCLUDED."taxCode", "taxCodeValid" = EXCLUDED."taxCodeValid",
        "taxCodeIssue" = EXCLUDED."taxCodeIssue", "legalName" = EXCLUDED."legalName",
        "address" = EXCLUDED."address", "provinceCode" = EXCLUDED."provinceCode",
        "communeCode" = EXCLUDED."communeCode", "email" = EXCLUDED."email", "phone" = EXCLUDED."phone",
        "vatMethod" = EXCLUDED."vatMethod", "eInvoiceSettings" = EXCLUDED."eInvoiceSettings",
        "sourceLsn" = EXCLUDED."sourceLsn", "sourceTxId" = EXCLUDED."sourceTxId",
        "sourceEventAt" = EXCLUDED."sourceEventAt", "syncedAt" = EXCLUDED."syncedAt",
        "updatedAt" = EXCLUDED."updatedAt", "deletedAt" = EXCLUDED."deletedAt"
      WHERE cur."sourceLsn" <= EXCLUDED."sourceLsn"
      RETURNING "merchantId"`;
    const written = new Set(upserted.map((r) => r.merchantId));
    const effective = writes.filter((w) => written.has(w.merchantId));
    if (effective.length === 0) return written;
    const profiles = last
      .filter((w) => written.has(w.merchantId))
      .map((w) => ({
        merchantId: w.merchantId,
        tax: w.deleted ? null : metadataTaxOf(w.record, w.position.lsn, at),
      }));
    // Only the `tax` key of metadata belongs to cdc-sync; the rest is kept as it is.
    await tx.$executeRaw`
      UPDATE ${t.merchantProfile} AS p SET
        "metadata" = (CASE WHEN jsonb_typeof(p."metadata") = 'object' THEN p."metadata" ELSE '{}'::jsonb END)
                     || jsonb_build_object('tax', x."tax"),
        "updatedAt" = ${at}
      FROM jsonb_to_recordset(${json(profiles)}::jsonb) AS x("merchantId" text, "tax" jsonb)
      WHERE p."merchantId" = x."merchantId"`;
    const audits = effective.map((w) => ({
      id: ids.nextString(),
      merchantId: w.merchantId,
      operation: w.audit.operation,
      changedFields: w.audit.changedFields,
      before: w.audit.before,
      after: w.deleted ? null : w.record,
      sourceLsn: w.position.lsn.toString(),
      sourceTxId: w.position.txId?.toString() ?? null,
      sourceEventAt: w.position.eventAt.toISOString(),
      actor: w.audit.actor,
      correlationId: w.audit.correlationId,
    }));
    await tx.$executeRaw`
      INSERT INTO ${t.taxInfoAudit} ("id", "merchantId", "operation", "changedFields", "before", "after",
        "sourceLsn", "sourceTxId", "sourceEventAt", "actor", "correlationId", "createdAt")
      SELECT x."id"::bigint, x."merchantId", x."operation", ARRAY(SELECT jsonb_array_elements_text(x."changedFields")),
        x."before", x."after", x."sourceLsn"::bigint, x."sourceTxId"::bigint, x."sourceEventAt"::timestamptz,
        x."actor", x."correlationId", ${at}
      FROM jsonb_to_recordset(${json(audits)}::jsonb) AS x("id" text, "merchantId" text, "operation" text,
        "changedFields" jsonb, "before" jsonb, "after" jsonb, "sourceLsn" text, "sourceTxId" text,
        "sourceEventAt" text, "actor" text, "correlationId" text)`;
    return written;
  }
}
