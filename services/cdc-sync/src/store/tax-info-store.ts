import type { StoredTaxInfo } from "../tax/decide-change.ts";
import type { TaxRecord } from "../tax/tax-record.ts";

/** Where a write came from at the source: the change event's position, or a re-sync's read. */
export interface SourcePositionWrite {
  lsn: bigint;
  txId: bigint | null;
  eventAt: Date;
}

export interface TaxWrite {
  merchantId: string;
  /** The record to store; for a delete, the stored record (kept for history). */
  record: TaxRecord;
  deleted: boolean;
  position: SourcePositionWrite;
  audit: {
    /** Debezium op (c/u/d/r) or "resync". */
    operation: string;
    changedFields: string[];
    before: TaxRecord | null;
    actor: string;
    correlationId: string | null;
  };
}

export interface LockedPlan<T> {
  writes: TaxWrite[];
  result: T;
}

/**
 * TaxInfo, MerchantProfile.metadata.tax and the TaxInfoAudit trail, written together.
 *
 * Failure semantics: every method rejects with the database error classified by
 * `classifyDatabaseError` (@invoice/errors): retriable for connection loss, serialization failures and
 * deadlocks (the caller retries the same records), non-retriable for data the schema refuses (a value
 * too long for its column): the caller isolates the record and dead-letters it. A rejected call wrote
 * nothing (one transaction).
 */
export interface TaxInfoStore {
  /**
   * Locks the TaxInfo rows of `merchantIds` (FOR UPDATE, in merchantId order), hands what they hold to
   * `plan`, and writes the planned writes in the same transaction: TaxInfo upserted (only over an
   * equal or older sourceLsn: a concurrent newer write wins), metadata.tax set on the merchant's
   * MerchantProfile when one exists, one audit row per write.
   * Returns plan's result and the merchant ids whose write actually took effect.
   */
  withLockedMerchants<T>(
    merchantIds: readonly string[],
    plan: (current: ReadonlyMap<string, StoredTaxInfo>) => LockedPlan<T>,
  ): Promise<{ result: T; written: Set<string> }>;
}

/**
 * metadata.tax as front-ends and the merchant API read it (null once the merchant is deleted): the
 * stored record, the tax-code flag, and the position it was synced at (sourceLsn as a decimal string:
 * a JSON number cannot carry every int64).
 */
export type MetadataTax = TaxRecord & { taxCodeValid: boolean; sourceLsn: string; syncedAt: string };

export function metadataTaxOf(record: TaxRecord, lsn: bigint, syncedAt: Date): MetadataTax {
  return {
    ...record,
    taxCodeValid: record.taxCodeIssue === null,
    sourceLsn: lsn.toString(),
    syncedAt: syncedAt.toISOString(),
  };
}
