import { isRetriable, PlatformError } from "@invoice/errors";
import type { IncomingRecord } from "@invoice/kafka";
import type { Logger } from "@invoice/observability";
import type { ChangeEvent } from "../envelope/debezium-envelope.ts";
import type { DecodedRecord } from "../envelope/record-decoder.ts";
import type { TaxInfoStore, TaxWrite } from "../store/tax-info-store.ts";
import type { ColumnMapping } from "../tax/column-mapping.ts";
import { type Decision, decideChange, merchantOf, type StoredTaxInfo } from "../tax/decide-change.ts";
import type { CdcMetrics } from "./cdc-metrics.ts";
import { type Disposition, DONE } from "./disposition.ts";

export interface MerchantCdcHandlerOptions {
  decode: (record: Pick<IncomingRecord, "value">) => Promise<DecodedRecord>;
  store: TaxInfoStore;
  mapping: ColumnMapping;
  logger: Logger;
  metrics: CdcMetrics;
  /** Written into the audit trail (TaxInfoAudit.actor). */
  actor?: string;
  /** Epoch ms; for the commit-to-apply lag. */
  now?: () => number;
}

/** A record of the batch that decoded into a change event. */
interface Pending {
  index: number;
  record: IncomingRecord;
  event: ChangeEvent;
  log: Logger;
}

/**
 * The Merchant-topic handler in the shape of the per-key batch processing package: records in (of
 * distinct merchants, in partition order), one Disposition per record out, aligned with the input.
 * Records of the same merchant in one batch are still applied in order (the plan walks them in
 * sequence over the state the earlier ones leave), so a caller that does not split by key stays correct.
 *
 * All records of a batch that need the database are decided and written in one transaction. When that
 * transaction fails for a reason that will not go away (the database refuses a value), the records are
 * written one by one so that only the refused one is dead-lettered.
 */
export function createMerchantCdcHandler(options: MerchantCdcHandlerOptions) {
  const { decode, store, mapping, logger, metrics } = options;
  const actor = options.actor ?? "cdc-sync";
  const now = options.now ?? Date.now;

  const deadLetter = (
    out: Disposition[],
    index: number,
    log: Logger,
    op: string,
    reason: "deserialization" | "non-retryable",
    error: PlatformError,
  ) => {
    out[index] = { outcome: "dead-letter", reason, error };
    metrics.events.inc({ op, outcome: "dead_letter" });
    log.error({ reason, code: error.code, err: error }, "[handleMerchantCDC] record refused, to the DLQ");
  };

  return async function handleMerchantCdc(records: readonly IncomingRecord[]): Promise<Disposition[]> {
    const out: Disposition[] = records.map(() => DONE);
    const pending: Pending[] = [];
    await Promise.all(
      records.map(async (record, index) => {
        // One child logger per record (pino serialises the bindings of every child it creates).
        const where = { topic: record.topic, partition: record.partition, offset: record.offset };
        let decoded: DecodedRecord;
        try {
          decoded = await decode(record);
        } catch (error) {
          if (isRetriable(error)) {
            out[index] = { outcome: "retry", error };
            metrics.events.inc({ op: "?", outcome: "retry" });
            logger.child(where).warn({ err: error }, "[handleMerchantCDC] decoding failed, will retry");
          } else {
            deadLetter(
              out,
              index,
              logger.child(where),
              "?",
              "deserialization",
              asPlatformError(error, "CDC_UNDECODABLE"),
            );
          }
          return;
        }
        if (decoded.kind === "tombstone") {
          metrics.events.inc({ op: "tombstone", outcome: "tombstone" });
          logger.child(where).debug("[handleMerchantCDC] tombstone, SKIP");
          return;
        }
        if (!decoded.result.ok) {
          const { code, message } = decoded.result;
          deadLetter(
            out,
            index,
            logger.child(where),
            "?",
            "deserialization",
            new PlatformError(code, message, { retriable: false }),
          );
          return;
        }
        const { event } = decoded.result;
        const merchantId = merchantOf(event, mapping);
        pending.push({
          index,
          record,
          event,
          log: logger.child(merchantId ? { ...where, merchantId } : where),
        });
      }),
    );
    if (pending.length === 0) return out;
    pending.sort((a, b) => a.index - b.index);

    try {
      await applyTogether(pending, out);
    } catch (error) {
      if (isRetriable(error) || pending.length === 1) {
        for (const p of pending) settleFailure(p, error, out);
      } else {
        // Isolate the record the database refuses; the others are written on their own.
        for (const p of pending) {
          try {
            await applyTogether([p], out);
          } catch (single) {
            settleFailure(p, single, out);
          }
        }
      }
    }
    return out;
  };

  function settleFailure(p: Pending, error: unknown, out: Disposition[]) {
    if (isRetriable(error)) {
      out[p.index] = { outcome: "retry", error };
      metrics.events.inc({ op: p.event.op, outcome: "retry" });
      p.log.warn({ err: error }, "[handleMerchantCDC] database unavailable, will retry");
    } else {
      deadLetter(
        out,
        p.index,
        p.log,
        p.event.op,
        "non-retryable",
        asPlatformError(error, "CDC_WRITE_REFUSED"),
      );
    }
  }

  async function applyTogether(batch: Pending[], out: Disposition[]) {
    const merchantIds = batch.map((p) => merchantOf(p.event, mapping)).filter((m): m is string => !!m);
    const { result: decisions, written } = await store.withLockedMerchants(merchantIds, (current) => {
      const state = new Map<string, StoredTaxInfo>(current);
      const writes: TaxWrite[] = [];
      const decided = batch.map((p) => {
        const merchantId = merchantOf(p.event, mapping);
        const stored = merchantId ? state.get(merchantId) : undefined;
        const decision = decideChange(p.event, mapping, stored);
        const write = writeFor(decision, p, stored);
        if (write) {
          writes.push(write);
          state.set(write.merchantId, {
            record: write.record,
            sourceLsn: write.position.lsn,
            deleted: write.deleted,
          });
        }
        return decision;
      });
      return { writes, result: decided };
    });
    batch.forEach((p, i) => {
      const decision = decisions[i];
      if (decision) report(decision, p, written, out);
    });
  }

  function writeFor(decision: Decision, p: Pending, stored: StoredTaxInfo | undefined): TaxWrite | undefined {
    const { source } = p.event;
    const position = { lsn: source.lsn, txId: source.txId, eventAt: new Date(source.commitTimeMs) };
    const correlationId = `${p.record.topic}:${p.record.partition}:${p.record.offset}`;
    const live = stored && !stored.deleted ? stored.record : null;
    if (decision.kind === "apply") {
      return {
        merchantId: decision.merchantId,
        record: decision.record,
        deleted: false,
        position,
        audit: {
          operation: decision.op,
          changedFields: decision.changed,
          before: live,
          actor,
          correlationId,
        },
      };
    }
    if (decision.kind === "delete" && stored) {
      return {
        merchantId: decision.merchantId,
        record: stored.record,
        deleted: true,
        position,
        audit: { operation: "d", changedFields: ["*"], before: live, actor, correlationId },
      };
    }
    return undefined;
  }

  function report(decision: Decision, p: Pending, written: Set<string>, out: Disposition[]) {
    const { op, source } = p.event;
    const lsn = source.lsn.toString();
    const log = p.log;
    switch (decision.kind) {
      case "apply":
      case "delete": {
        if (!written.has(decision.merchantId)) {
          // A concurrent writer (a re-sync, another consumer after a rebalance) stored a newer LSN first.
          metrics.events.inc({ op, outcome: "stale" });
          log.info({ lsn }, `[handleMerchantCDC] op=${op} overtaken by a newer write, SKIP`);
          return;
        }
        metrics.applyLag.observe(Math.max(0, now() - source.commitTimeMs) / 1000);
        if (decision.kind === "delete") {
          metrics.events.inc({ op, outcome: "deleted" });
          log.info({ lsn }, "[handleMerchantCDC] op=d merchant deleted, TaxInfo soft-deleted");
          return;
        }
        metrics.events.inc({ op, outcome: "applied" });
        log.info({ lsn, changed: decision.changed }, `[handleMerchantCDC] op=${op} tax changed, APPLIED`);
        const issue = decision.record.taxCodeIssue;
        if (
          issue !== null &&
          (decision.changed[0] === "*" || decision.changed.includes("taxCode" as never))
        ) {
          metrics.invalidTaxCodes.inc({ issue });
          log.warn(
            { taxCode: decision.record.taxCode, issue },
            "[handleMerchantCDC] invalid tax code from commerce, stored as it is and flagged",
          );
        }
        return;
      }
      case "unchanged":
        metrics.events.inc({ op, outcome: "unchanged" });
        log.info({ lsn }, `[handleMerchantCDC] op=${op} tax unchanged, SKIP`);
        return;
      case "stale":
        metrics.events.inc({ op, outcome: "stale" });
        log.info(
          { lsn, storedLsn: decision.storedLsn.toString() },
          `[handleMerchantCDC] op=${op} stale event, SKIP`,
        );
        return;
      case "unknown-delete":
        metrics.events.inc({ op, outcome: "unknown_delete" });
        log.info({ lsn }, "[handleMerchantCDC] op=d merchant not in TaxInfo, SKIP");
        return;
      case "truncate":
        // Debezium skips truncates unless skipped.operations is changed; never mass-delete on one.
        metrics.events.inc({ op, outcome: "truncate" });
        log.error(
          { lsn, table: source.table },
          "[handleMerchantCDC] op=t TRUNCATE of the Merchant table; TaxInfo left unchanged, run the drift check",
        );
        return;
      case "invalid":
        metrics.mappingErrors.inc({ field: decision.field ?? "?", code: decision.code });
        deadLetter(
          out,
          p.index,
          log,
          op,
          "non-retryable",
          new PlatformError(decision.code, decision.message, { retriable: false }),
        );
        return;
    }
  }
}

function asPlatformError(error: unknown, code: string): PlatformError {
  if (error instanceof PlatformError) return error;
  const coded = error as { code?: unknown; message?: unknown };
  return new PlatformError(
    typeof coded.code === "string" ? coded.code : code,
    typeof coded.message === "string" ? coded.message : String(error),
    { retriable: false, cause: error },
  );
}
