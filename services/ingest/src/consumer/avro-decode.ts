import { PlatformError } from "@invoice/errors";
import { type AvroCodec, type IncomingRecord, SchemaCodecError } from "@invoice/kafka";

/**
 * Decodes a Confluent-framed Avro record (with `readerSchema`: resolved into it). Non-retriable
 * refusals (tombstone, not framed, unknown schema id, bytes that do not decode, strings that are not
 * UTF-8) throw SchemaCodecError with retriable false — a DLQ record, reason `deserialization`; a
 * registry outage throws a retriable PlatformError, which stalls the partition instead of
 * dead-lettering good records.
 */
export async function decodeAvro<T>(
  codec: AvroCodec,
  record: IncomingRecord,
  readerSchema?: object,
): Promise<T> {
  if (record.value === null)
    throw new SchemaCodecError("tombstone (null value)", "SCHEMA_MALFORMED_RECORD", false);
  let value: T;
  try {
    value = (await codec.decode<T>(record.value, readerSchema)).value;
  } catch (error) {
    if (error instanceof SchemaCodecError && error.retriable) {
      throw new PlatformError("SCHEMA_REGISTRY_UNAVAILABLE", error.message, {
        retriable: true,
        cause: error,
      });
    }
    throw error;
  }
  if (hasReplacedBytes(value, record.value)) {
    throw new SchemaCodecError(
      "a string of the record is not UTF-8 (its bytes were replaced by U+FFFD when decoded)",
      "SCHEMA_INVALID_PAYLOAD",
      false,
    );
  }
  return value;
}

const REPLACEMENT = "\uFFFD";
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, "utf8");

/**
 * avsc decodes Avro strings leniently: bytes that are not UTF-8 become U+FFFD, and the record would
 * go on with text nobody wrote. A U+FFFD the sender did write is the three bytes EF BF BD in the
 * record, so more U+FFFD in the decoded strings than EF BF BD sequences in the bytes means some were
 * invented by the decoder. (Cheap: the bytes are searched only when a decoded string has one.)
 */
export function hasReplacedBytes(value: unknown, bytes: Buffer): boolean {
  const decoded = countReplacements(value);
  if (decoded === 0) return false;
  let written = 0;
  for (let at = bytes.indexOf(REPLACEMENT_BYTES); at !== -1; at = bytes.indexOf(REPLACEMENT_BYTES, at + 3)) {
    written++;
  }
  return decoded > written;
}

function countReplacements(value: unknown): number {
  if (typeof value === "string") {
    let n = 0;
    for (let at = value.indexOf(REPLACEMENT); at !== -1; at = value.indexOf(REPLACEMENT, at + 1)) n++;
    return n;
  }
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || value instanceof Date)
    return 0;
  let n = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) n += countReplacements(item);
  return n;
}
