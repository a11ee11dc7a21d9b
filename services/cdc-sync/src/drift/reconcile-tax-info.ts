import type { PrismaClient } from "@invoice/db";
import {
  type Counter,
  type Gauge,
  invoiceCounter,
  invoiceGauge,
  type Logger,
  type Registry,
} from "@invoice/observability";
import { recordOfRow } from "../store/prisma-tax-info-store.ts";
import { type InvoiceTables, invoiceTables } from "../store/tables.ts";
import { metadataTaxOf } from "../store/tax-info-store.ts";
import type { ColumnMapping } from "../tax/column-mapping.ts";
import { diffTaxRecords, extractTaxRecord, sameValue, type TaxRecord } from "../tax/tax-record.ts";
import type { CommerceMerchantSource } from "./commerce-merchant-source.ts";

export type DriftKind =
  /** metadata.tax differs from TaxInfo (a write that half happened outside cdc-sync, a manual edit). */
  | "METADATA_MISMATCH"
  /** The merchant has a profile but its metadata.tax is absent (profile created after the last change). */
  | "METADATA_MISSING"
  /** TaxInfo differs from commerce's current row (a lost or dead-lettered change event). */
  | "SOURCE_MISMATCH"
  /** TaxInfo has a live merchant commerce does not have any more (a lost delete). */
  | "SOURCE_MISSING"
  /** Commerce has a merchant TaxInfo never received (a lost create, or a connector that never snapshotted). */
  | "TAXINFO_MISSING";

export const DRIFT_KINDS: readonly DriftKind[] = [
  "METADATA_MISMATCH",
  "METADATA_MISSING",
  "SOURCE_MISMATCH",
  "SOURCE_MISSING",
  "TAXINFO_MISSING",
];

export interface Drift {
  merchantId: string;
  kind: DriftKind;
  fields: string[];
}

export interface DriftMetrics {
  /** invoice_taxinfo_drift_merchants{kind}: drifts found by the last run (the runbook alert's input). */
  merchants: Gauge<"kind">;
  /** invoice_taxinfo_drift_runs_total{result}: ok | drift | failed. */
  runs: Counter<"result">;
  /** invoice_taxinfo_invalid_tax_codes: live merchants whose tax code is flagged invalid. */
  invalidTaxCodes: Gauge;
}

export function createDriftMetrics(registry: Registry): DriftMetrics {
  return {
    merchants: invoiceGauge(registry, {
      name: "taxinfo_drift_merchants",
      help: "Merchants whose TaxInfo differs from metadata.tax or from commerce, by kind (last reconciliation)",
      labelNames: ["kind"],
    }),
    runs: invoiceCounter(registry, {
      name: "taxinfo_drift_runs",
      help: "TaxInfo reconciliation runs by result",
      labelNames: ["result"],
    }),
    invalidTaxCodes: invoiceGauge(registry, {
      name: "taxinfo_invalid_tax_codes",
      help: "Live merchants whose tax code from commerce is invalid (stored and flagged)",
    }),
  };
}

type Row = TaxRecord & {
  merchantId: string;
  deletedAt: Date | null;
  hasProfile: boolean;
  metadataTax: Record<string, unknown> | null;
};

/** The metadata.tax fields that must equal TaxInfo (sourceLsn and syncedAt are bookkeeping). */
function metadataDiff(record: TaxRecord, tax: Record<string, unknown>): string[] {
  const expected = metadataTaxOf(record, 0n, new Date(0)) as unknown as Record<string, unknown>;
  return Object.keys(expected)
    .filter((k) => k !== "sourceLsn" && k !== "syncedAt")
    .filter((k) => !sameValue(expected[k] ?? null, tax[k] ?? null));
}

/** Pure: the drifts of one TaxInfo row (with its profile's metadata.tax and, when read, commerce's row). */
export function driftsOf(
  row: Row,
  mapping: ColumnMapping,
  source?: { row: Record<string, unknown> | undefined },
): Drift[] {
  const drifts: Drift[] = [];
  const record = recordOfRow(row);
  const deleted = row.deletedAt !== null;
  const { merchantId } = row;
  if (row.hasProfile) {
    if (deleted) {
      if (row.metadataTax !== null)
        drifts.push({ merchantId, kind: "METADATA_MISMATCH", fields: ["deleted"] });
    } else if (row.metadataTax === null) {
      drifts.push({ merchantId, kind: "METADATA_MISSING", fields: [] });
    } else {
      const fields = metadataDiff(record, row.metadataTax);
      if (fields.length > 0) drifts.push({ merchantId, kind: "METADATA_MISMATCH", fields });
    }
  }
  if (source !== undefined) {
    if (source.row === undefined) {
      if (!deleted) drifts.push({ merchantId, kind: "SOURCE_MISSING", fields: [] });
    } else if (deleted) {
      drifts.push({ merchantId, kind: "SOURCE_MISMATCH", fields: ["deleted"] });
    } else {
      const extracted = extractTaxRecord(source.row, mapping);
      const fields = extracted.ok ? diffTaxRecords(record, extracted.record) : [extracted.field];
      if (fields.length > 0) drifts.push({ merchantId, kind: "SOURCE_MISMATCH", fields });
    }
  }
  return drifts;
}

export interface ReconcileOptions {
  prisma: PrismaClient;
  mapping: ColumnMapping;
  /** When set, TaxInfo is also compared with commerce's table. */
  source?: CommerceMerchantSource;
  logger: Logger;
  metrics: DriftMetrics;
  pageSize?: number;
  /** PostgreSQL schema of the tables (the database URL's ?schema=, default "invoice"). */
  schema?: string;
  now?: () => Date;
}

export interface ReconcileReport {
  checked: number;
  drifts: Drift[];
  byKind: Record<DriftKind, number>;
}

/**
 * The reconciliation job ("TaxInfo CDC drift", made automatic): compares every TaxInfo row with its
 * profile's metadata.tax and, when a source is given, with commerce's row; and lists commerce's
 * merchants TaxInfo lacks. Each drift is logged with the merchant id and kept in TaxInfoDrift while it
 * lasts; the gauge carries the counts. Read-only on TaxInfo: repair is `resyncMerchant`.
 *
 * A change still on its way through Debezium shows up as a SOURCE_MISMATCH for one run; the alert
 * rule waits for it to last (ops: `for: 15m`), and TaxInfoDrift.firstSeenAt says how long it has.
 */
export async function reconcileTaxInfo(options: ReconcileOptions): Promise<ReconcileReport> {
  const { prisma, mapping, source, logger, metrics } = options;
  const pageSize = options.pageSize ?? 500;
  const startedAt = (options.now ?? (() => new Date()))();
  const t = invoiceTables(options.schema ?? "invoice");
  const drifts: Drift[] = [];
  let checked = 0;
  try {
    let after = "";
    for (;;) {
      const rows = await prisma.$queryRaw<Row[]>`
        SELECT t."merchantId", t."taxCode", t."taxCodeIssue", t."legalName", t."address", t."provinceCode",
               t."communeCode", t."email", t."phone", t."vatMethod", t."eInvoiceSettings", t."deletedAt",
               (p."merchantId" IS NOT NULL) AS "hasProfile",
               CASE WHEN jsonb_typeof(p."metadata" -> 'tax') = 'object' THEN p."metadata" -> 'tax' END AS "metadataTax"
        FROM ${t.taxInfo} t LEFT JOIN ${t.merchantProfile} p ON p."merchantId" = t."merchantId" AND p."deletedAt" IS NULL
        WHERE t."merchantId" > ${after} ORDER BY t."merchantId" LIMIT ${pageSize}`;
      if (rows.length === 0) break;
      const sourceRows = source ? await source.readMany(rows.map((r) => r.merchantId)) : undefined;
      for (const row of rows) {
        drifts.push(
          ...driftsOf(row, mapping, sourceRows ? { row: sourceRows.get(row.merchantId) } : undefined),
        );
      }
      checked += rows.length;
      after = rows[rows.length - 1]?.merchantId ?? after;
      if (rows.length < pageSize) break;
    }
    if (source) drifts.push(...(await missingFromTaxInfo(prisma, t, source, pageSize)));

    for (const drift of drifts) {
      logger.warn(
        { merchantId: drift.merchantId, kind: drift.kind, fields: drift.fields },
        "[reconcileTaxInfo] drift",
      );
    }
    await record(prisma, t, drifts, startedAt);
    const byKind = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as Record<DriftKind, number>;
    for (const d of drifts) byKind[d.kind] += 1;
    for (const kind of DRIFT_KINDS) metrics.merchants.set({ kind }, byKind[kind]);
    const [invalid] = await prisma.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM ${t.taxInfo} WHERE NOT "taxCodeValid" AND "deletedAt" IS NULL`;
    metrics.invalidTaxCodes.set(Number(invalid?.n ?? 0));
    metrics.runs.inc({ result: drifts.length > 0 ? "drift" : "ok" });
    logger.info(
      { checked, drifts: drifts.length, byKind, withSource: source !== undefined },
      "[reconcileTaxInfo] done",
    );
    return { checked, drifts, byKind };
  } catch (error) {
    metrics.runs.inc({ result: "failed" });
    logger.error({ err: error }, "[reconcileTaxInfo] failed");
    throw error;
  }
}

async function missingFromTaxInfo(
  prisma: PrismaClient,
  t: InvoiceTables,
  source: CommerceMerchantSource,
  pageSize: number,
) {
  const drifts: Drift[] = [];
  let after: string | undefined;
  for (;;) {
    const ids = await source.listIds(after, pageSize);
    if (ids.length === 0) break;
    const known = await prisma.$queryRaw<Array<{ merchantId: string }>>`
      SELECT "merchantId" FROM ${t.taxInfo} WHERE "merchantId" = ANY(${ids}::varchar[])`;
    const have = new Set(known.map((k) => k.merchantId));
    for (const id of ids)
      if (!have.has(id)) drifts.push({ merchantId: id, kind: "TAXINFO_MISSING", fields: [] });
    after = ids[ids.length - 1];
    if (ids.length < pageSize) break;
  }
  return drifts;
}

/** TaxInfoDrift holds the open drifts: found ones upserted (firstSeenAt kept), the others removed. */
async function record(prisma: PrismaClient, t: InvoiceTables, drifts: Drift[], at: Date) {
  const rows = JSON.stringify(drifts);
  await prisma.$transaction([
    prisma.$executeRaw`
      INSERT INTO ${t.taxInfoDrift} ("merchantId", "kind", "fields", "firstSeenAt", "lastSeenAt")
      SELECT x."merchantId", x."kind", ARRAY(SELECT jsonb_array_elements_text(x."fields")), ${at}, ${at}
      FROM jsonb_to_recordset(${rows}::jsonb) AS x("merchantId" text, "kind" text, "fields" jsonb)
      ON CONFLICT ("merchantId", "kind") DO UPDATE SET "fields" = EXCLUDED."fields", "lastSeenAt" = EXCLUDED."lastSeenAt"`,
    prisma.$executeRaw`DELETE FROM ${t.taxInfoDrift} WHERE "lastSeenAt" < ${at}`,
  ]);
}
