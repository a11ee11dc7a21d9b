import type { ChangeEvent, ChangeOp } from "../envelope/debezium-envelope.ts";
import type { ColumnMapping } from "./column-mapping.ts";
import {
  diffTaxRecords,
  type ExtractErrorCode,
  extractMerchantId,
  extractTaxRecord,
  type TaxRecord,
  type TaxRecordField,
} from "./tax-record.ts";

/** What TaxInfo holds for a merchant, as far as the decision needs it. */
export interface StoredTaxInfo {
  record: TaxRecord;
  sourceLsn: bigint;
  /** The merchant's row was deleted at commerce (TaxInfo.deletedAt set). */
  deleted: boolean;
}

export type Decision =
  /** Write the record (create, re-create after a delete, or a real tax change). */
  | {
      kind: "apply";
      op: ChangeOp;
      merchantId: string;
      record: TaxRecord;
      /** Changed tax fields; ["*"] when there was no live record before. */
      changed: TaxRecordField[] | ["*"];
    }
  /** Soft-delete TaxInfo (the merchant's row is gone at commerce). */
  | { kind: "delete"; op: "d"; merchantId: string }
  /** Nothing tax-relevant changed (a non-tax column, a replay, a snapshot read of the same state). */
  | { kind: "unchanged"; op: ChangeOp; merchantId: string }
  /** Older than what TaxInfo already holds: never applied over newer data. */
  | { kind: "stale"; op: ChangeOp; merchantId: string; storedLsn: bigint }
  /** A delete of a merchant TaxInfo never held. */
  | { kind: "unknown-delete"; op: "d"; merchantId: string }
  /** TRUNCATE of the Merchant table: never mass-deletes TaxInfo (the operator decides). */
  | { kind: "truncate"; op: "t" }
  /** The row cannot be read through the mapping: dead-letter with the reason. */
  | {
      kind: "invalid";
      op: ChangeOp;
      code: ExtractErrorCode | "MERCHANT_ID_MISSING";
      message: string;
      field?: string;
    };

/** The merchant a change event is about, or undefined when its row does not say (truncate, bad rows). */
export function merchantOf(event: ChangeEvent, mapping: ColumnMapping): string | undefined {
  const row = event.op === "d" ? event.before : event.after;
  return row === null ? undefined : extractMerchantId(row, mapping);
}

/**
 * The ordering and diff rules of cdc-sync, pure:
 * - an event whose source LSN is lower than the stored one is stale and never applied (an equal LSN
 *   is the same change delivered again and goes through the diff, which finds it unchanged);
 * - a create/update/snapshot read is applied only when a tax field differs from the stored record,
 *   or when there is no live record (first sight, or re-creation after a delete);
 * - a delete soft-deletes; it keeps the row so its LSN still guards against older events.
 * `before` is never trusted for the diff: under REPLICA IDENTITY DEFAULT it is null on updates and
 * holds only the key on deletes. The stored record is the reference.
 */
export function decideChange(
  event: ChangeEvent,
  mapping: ColumnMapping,
  stored: StoredTaxInfo | undefined,
): Decision {
  if (event.op === "t") return { kind: "truncate", op: "t" };
  const merchantId = merchantOf(event, mapping);
  if (merchantId === undefined) {
    return {
      kind: "invalid",
      op: event.op,
      code: "MERCHANT_ID_MISSING",
      field: "merchantId",
      message:
        event.op === "d"
          ? `the delete's before row has no "${mapping.merchantId}"; under REPLICA IDENTITY DEFAULT it holds only the primary key, so the merchantId mapping must name a key column`
          : `the row has no usable "${mapping.merchantId}" (merchantId)`,
    };
  }
  if (stored !== undefined && event.source.lsn < stored.sourceLsn) {
    return { kind: "stale", op: event.op, merchantId, storedLsn: stored.sourceLsn };
  }
  if (event.op === "d") {
    if (stored === undefined) return { kind: "unknown-delete", op: "d", merchantId };
    if (stored.deleted) return { kind: "unchanged", op: "d", merchantId };
    return { kind: "delete", op: "d", merchantId };
  }
  const live = stored !== undefined && !stored.deleted ? stored : undefined;
  const extracted = extractTaxRecord(event.after, mapping, live?.record);
  if (!extracted.ok) {
    return {
      kind: "invalid",
      op: event.op,
      code: extracted.code,
      field: extracted.field,
      message: extracted.message,
    };
  }
  if (live === undefined) {
    return { kind: "apply", op: event.op, merchantId, record: extracted.record, changed: ["*"] };
  }
  const changed = diffTaxRecords(live.record, extracted.record);
  if (changed.length === 0) return { kind: "unchanged", op: event.op, merchantId };
  return { kind: "apply", op: event.op, merchantId, record: extracted.record, changed };
}
