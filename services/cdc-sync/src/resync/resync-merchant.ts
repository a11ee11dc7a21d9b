import { PlatformError } from "@invoice/errors";
import type { Logger } from "@invoice/observability";
import type { CommerceMerchantSource } from "../drift/commerce-merchant-source.ts";
import type { TaxInfoStore, TaxWrite } from "../store/tax-info-store.ts";
import type { ColumnMapping } from "../tax/column-mapping.ts";
import { diffTaxRecords, extractTaxRecord } from "../tax/tax-record.ts";

export type ResyncOutcome =
  /** TaxInfo (and metadata.tax) now hold commerce's current row. */
  | "applied"
  /** The merchant's row is gone at commerce: TaxInfo soft-deleted. */
  | "deleted"
  /** TaxInfo already equals commerce's row. */
  | "unchanged"
  /** Neither side has the merchant. */
  | "absent"
  /** The source read is older than TaxInfo (a lagging replica): nothing written, try again. */
  | "source-behind";

export interface ResyncResult {
  merchantId: string;
  outcome: ResyncOutcome;
  changedFields: string[];
  /** The WAL position the row was read at (written as TaxInfo.sourceLsn). */
  lsn: string;
  dryRun: boolean;
}

export interface ResyncOptions {
  merchantId: string;
  source: CommerceMerchantSource;
  store: TaxInfoStore;
  mapping: ColumnMapping;
  logger: Logger;
  /** Audit actor, e.g. ops:<user>. */
  actor: string;
  /** Decide and report, write nothing. */
  dryRun?: boolean;
}

/**
 * Re-syncs one merchant from commerce's table (the repair for a drift): reads the row with the WAL
 * position it is current at and writes it as if it were a change event at that position, so older
 * events still in flight are stale and newer ones apply after it. Metadata.tax and the audit trail are
 * written in the same transaction (operation "resync").
 *
 * Known limit: a transaction on that merchant still open during the read commits a change event whose
 * LSN is below the read position; that event is then taken as stale. The next drift check reports it
 * (SOURCE_MISMATCH) and another re-sync repairs it.
 *
 * Rejects with a non-retriable PlatformError (CDC_RESYNC_MAPPING) when the row cannot be read through
 * the mapping, and with the classified database error when either database fails.
 */
export async function resyncMerchant(options: ResyncOptions): Promise<ResyncResult> {
  const { merchantId, source, store, mapping, logger, actor } = options;
  const dryRun = options.dryRun ?? false;
  const { row, lsn } = await source.readOne(merchantId);
  const position = { lsn, txId: null, eventAt: new Date() };
  const { result } = await store.withLockedMerchants([merchantId], (current) => {
    const stored = current.get(merchantId);
    const live = stored && !stored.deleted ? stored : undefined;
    const done = (outcome: ResyncOutcome, changedFields: string[] = [], writes: TaxWrite[] = []) => ({
      writes: dryRun ? [] : writes,
      result: { merchantId, outcome, changedFields, lsn: lsn.toString(), dryRun },
    });
    if (stored && lsn < stored.sourceLsn) return done("source-behind");
    const audit = (changedFields: string[]) => ({
      operation: "resync",
      changedFields,
      before: live?.record ?? null,
      actor,
      correlationId: `resync:${merchantId}`,
    });
    if (row === undefined) {
      if (!live || !stored) return done("absent");
      return done(
        "deleted",
        ["*"],
        [{ merchantId, record: stored.record, deleted: true, position, audit: audit(["*"]) }],
      );
    }
    const extracted = extractTaxRecord(row, mapping, live?.record);
    if (!extracted.ok) {
      throw new PlatformError("CDC_RESYNC_MAPPING", extracted.message, { retriable: false });
    }
    const changed = live ? diffTaxRecords(live.record, extracted.record) : ["*"];
    if (changed.length === 0) return done("unchanged");
    return done("applied", changed, [
      { merchantId, record: extracted.record, deleted: false, position, audit: audit(changed) },
    ]);
  });
  logger.info({ ...result, actor }, "[resyncMerchant] done");
  return result;
}
