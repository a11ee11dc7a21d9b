import type { Headers, IncomingRecord } from "@invoice/kafka";
import { DLQ_HEADERS, REPLAY_HEADERS, RETRY_HEADERS } from "@invoice/processing";

/** A DLQ record as the CLI shows it: where it is, why it is there, and what it was. */
export interface DlqEntry {
  /** `<partition>:<offset>` on the DLQ topic: the id `inspect` and `replay --record` take. */
  id: string;
  dlqTopic: string;
  partition: number;
  offset: string;
  /** The key as UTF-8 (orderId); null for a keyless record. */
  key: string | null;
  reason: string | null;
  errorClass: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Epoch ms the record was dead-lettered (dlq.failed-at, else the DLQ record's timestamp). */
  failedAt: number;
  originalTopic: string | null;
  /** Where replay sends it: the first topic it was consumed from (a retried record's main topic). */
  replayTopic: string | null;
  consumerGroup: string | null;
  eventId: string | null;
  /** retry.attempt when the record had been retried before. */
  attempts: number | null;
  /** merchantId of the decoded value, when it has one. */
  merchantId: string | null;
}

function header(headers: Headers, name: string): string | null {
  const value = headers[name];
  return value === undefined || value === "" ? null : value;
}

export function toDlqEntry(record: IncomingRecord, decoded: unknown): DlqEntry {
  const h = record.headers;
  const failedAt = Number(header(h, DLQ_HEADERS.failedAt) ?? record.timestamp);
  const originalTopic = header(h, DLQ_HEADERS.originalTopic);
  const attempt = header(h, RETRY_HEADERS.attempt);
  const merchantId =
    decoded &&
    typeof decoded === "object" &&
    typeof (decoded as { merchantId?: unknown }).merchantId === "string"
      ? (decoded as { merchantId: string }).merchantId
      : null;
  return {
    id: `${record.partition}:${record.offset}`,
    dlqTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key ? record.key.toString("utf8") : null,
    reason: header(h, DLQ_HEADERS.reason),
    errorClass: header(h, DLQ_HEADERS.errorClass),
    errorCode: header(h, DLQ_HEADERS.errorCode),
    errorMessage: header(h, DLQ_HEADERS.errorMessage),
    failedAt: Number.isFinite(failedAt) ? failedAt : Number(record.timestamp),
    originalTopic,
    replayTopic: header(h, RETRY_HEADERS.originalTopic) ?? originalTopic,
    consumerGroup: header(h, DLQ_HEADERS.consumerGroup),
    eventId: header(h, "eventId"),
    attempts: attempt === null ? null : Number(attempt),
    merchantId,
  };
}

export interface DlqFilter {
  /** Epoch ms, inclusive / exclusive, on failedAt. */
  since?: number;
  until?: number;
  merchant?: string;
  order?: string;
  reason?: string;
  /** Matches dlq.error.class or dlq.error.code exactly. */
  errorClass?: string;
  /** `<partition>:<offset>` ids; when given, only these. */
  ids?: readonly string[];
}

export function matches(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.ids && filter.ids.length > 0 && !filter.ids.includes(entry.id)) return false;
  if (filter.since !== undefined && entry.failedAt < filter.since) return false;
  if (filter.until !== undefined && entry.failedAt >= filter.until) return false;
  if (filter.merchant !== undefined && entry.merchantId !== filter.merchant) return false;
  if (filter.order !== undefined && entry.key !== filter.order) return false;
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  if (
    filter.errorClass !== undefined &&
    entry.errorClass !== filter.errorClass &&
    entry.errorCode !== filter.errorClass
  ) {
    return false;
  }
  return true;
}

export function countBy<K extends keyof DlqEntry>(
  entries: readonly DlqEntry[],
  field: K,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) {
    const value = String(entry[field] ?? "(none)");
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/**
 * Headers of the replayed copy: the record's own (eventId, traceparent, content-type), without the
 * dlq.* and retry.* ones (it is a first delivery again, due now), plus who asked for it and where it
 * was replayed from (REPLAY_HEADERS). The issuer takes a copy with them for an operator's replay of
 * the order, which resumes a FAILED invoice; without them it is a redelivery that changes nothing.
 */
export function replayHeaders(
  headers: Headers,
  from: { topic: string; id: string; actionId: string; actor: string },
): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("dlq.") || name.startsWith("retry.") || name.startsWith("replay.")) continue;
    out[name] = value;
  }
  out[REPLAY_HEADERS.requestedBy] = from.actor;
  out[REPLAY_HEADERS.dlqTopic] = from.topic;
  out[REPLAY_HEADERS.dlqRecord] = from.id;
  out[REPLAY_HEADERS.actionId] = from.actionId;
  return out;
}

/** "2026-12-01T10:00:00Z", "1h", "30m", "2d" (ago) or epoch ms → epoch ms. */
export function parseTime(text: string, now = Date.now()): number {
  const relative = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return now - Number(relative[1]) * unit;
  }
  if (/^\d{10,16}$/.test(text.trim())) return Number(text.trim());
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed))
    throw new RangeError(`not a time: "${text}" (ISO 8601, epoch ms, or 30m/2h/1d ago)`);
  return parsed;
}
