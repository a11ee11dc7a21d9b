import { PlatformError } from "@invoice/errors";

/**
 * Why a record cannot be mapped between the wire (Avro) and the domain:
 * - UNKNOWN_SYMBOL: an enum a newer writer extended was read as UNKNOWN (event type, buyer kind,
 *   provider outcome...): this reader cannot act on it;
 * - PAYLOAD_MISMATCH: the record's `type` and its payload branch disagree;
 * - MISSING_FIELD: a value the target needs is absent (a line's SKU, the issuer's context for an
 *   issued invoice, an identity field older records lack);
 * - INVALID_VALUE: a value the target cannot represent (a VAT category, a date, an amount);
 * - NOT_ON_THE_WIRE: a domain event that never travels on Kafka (the issuer's internal events) or a
 *   wire shape this platform never produces.
 */
export type EventMappingCode =
  | "UNKNOWN_SYMBOL"
  | "PAYLOAD_MISMATCH"
  | "MISSING_FIELD"
  | "INVALID_VALUE"
  | "NOT_ON_THE_WIRE";

/**
 * A record that cannot be mapped. Never retriable: the same bytes map the same way next time, so the
 * consumer sends the record to its DLQ with this code, path and message.
 */
export class EventMappingError extends PlatformError {
  override readonly name = "EventMappingError";

  constructor(
    override readonly code: EventMappingCode,
    /** Where in the record, e.g. `payload.lines[2].vatCategory`. */
    readonly path: string,
    message: string,
  ) {
    super(code, `${path}: ${message}`, { retriable: false });
  }
}

export type MappingResult<T> = { ok: true; value: T } | { ok: false; error: EventMappingError };

/** Thrown inside a mapping and turned into a `MappingResult` at its entry point. */
export function refuse(code: EventMappingCode, path: string, message: string): never {
  throw new EventMappingError(code, path, message);
}

export function mapped<T>(map: () => T): MappingResult<T> {
  try {
    return { ok: true, value: map() };
  } catch (error) {
    if (error instanceof EventMappingError) return { ok: false, error };
    throw error;
  }
}
