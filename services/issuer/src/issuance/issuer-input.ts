/**
 * What a record of invoice.issuance or invoice.issuance.retry means to the issuer: an external event
 * (first delivery or a DLQ re-publish), or a wake-up the issuer scheduled itself (the original bytes on
 * the retry topic with WAKE_HEADERS naming the WakeUp to feed). A record that does not decode is
 * thrown as a non-retriable error: the processor sends it to the DLQ with reason `deserialization`.
 */
import type { ExternalIssuanceEvent, WakeUpReason } from "@invoice/domain";
import { PlatformError } from "@invoice/errors";
import type { AvroCodec, IncomingRecord } from "@invoice/kafka";
import { type IssuanceEventAvro, issuanceEventFromWire } from "@invoice/schemas";
import { isOperatorReplay } from "./internal-events.ts";

/** Headers of a wake-up record (next to the processor's retry.* headers). */
export const WAKE_HEADERS = {
  eventId: "issuer.wake.event-id",
  reason: "issuer.wake.reason",
  attemptId: "issuer.wake.attempt-id",
  /** How many retry-counted wake-ups the record has been through (the send retry budget). */
  retries: "issuer.wake.retries",
} as const;

export interface WakeRequest {
  eventId: string;
  reason: WakeUpReason;
  attemptId?: string;
  retries: number;
}

export interface IssuerInput {
  /** The event the record carries (for a wake-up record: the original event, for its ids). */
  event: ExternalIssuanceEvent;
  /** Present on a wake-up record. */
  wake?: WakeRequest;
}

export class UndecodableRecordError extends PlatformError {
  override readonly name = "UndecodableRecordError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("ISSUANCE_RECORD_UNDECODABLE", message, { retriable: false, cause: options.cause });
  }
}

const REASONS = new Set<string>(["retry", "lease", "number", "claim-deadline", "recovery"]);

/**
 * The wake-up a record of the retry topic asks for. Not on a copy an operator re-published from the
 * DLQ (retries exhausted: the wake-up's copy is what was dead-lettered): a repeated wake-up is
 * dropped as applied, while the record's original event, applied too, becomes the order's replay
 * (ReplayRequested), which resumes the FAILED invoice.
 */
export function readWake(record: IncomingRecord): WakeRequest | undefined {
  const eventId = record.headers[WAKE_HEADERS.eventId];
  if (eventId === undefined || isOperatorReplay(record)) return undefined;
  const reason = record.headers[WAKE_HEADERS.reason] ?? "";
  if (!REASONS.has(reason)) throw new UndecodableRecordError(`wake-up reason "${reason}" is unknown`);
  const retries = Number(record.headers[WAKE_HEADERS.retries] ?? "0");
  const attemptId = record.headers[WAKE_HEADERS.attemptId];
  return {
    eventId,
    reason: reason as WakeUpReason,
    retries: Number.isInteger(retries) && retries >= 0 ? retries : 0,
    ...(attemptId ? { attemptId } : {}),
  };
}

export async function decodeIssuerInput(codec: AvroCodec, record: IncomingRecord): Promise<IssuerInput> {
  if (!record.value) throw new UndecodableRecordError("record has no value");
  // A registry outage is retriable (the processor retries in place); bad bytes are not.
  const decoded = await codec.decode<IssuanceEventAvro>(record.value);
  const mapped = issuanceEventFromWire(decoded.value);
  // A refused mapping is an EventMappingError (code + path, not retriable): DLQ `deserialization`.
  if (!mapped.ok) throw mapped.error;
  const wake = readWake(record);
  return { event: mapped.value.event, ...(wake ? { wake } : {}) };
}
