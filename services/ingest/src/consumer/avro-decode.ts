import { PlatformError } from "@invoice/errors";
import { type AvroCodec, type IncomingRecord, SchemaCodecError } from "@invoice/kafka";

/**
 * Decodes a Confluent-framed Avro record (with `readerSchema`: resolved into it). Non-retriable
 * refusals (tombstone, not framed, unknown schema id, bytes that do not decode) throw SchemaCodecError
 * with retriable false — a DLQ record, reason `deserialization`; a registry outage throws a retriable
 * PlatformError, which stalls the partition instead of dead-lettering good records.
 */
export async function decodeAvro<T>(
  codec: AvroCodec,
  record: IncomingRecord,
  readerSchema?: object,
): Promise<T> {
  if (record.value === null)
    throw new SchemaCodecError("tombstone (null value)", "SCHEMA_MALFORMED_RECORD", false);
  try {
    return (await codec.decode<T>(record.value, readerSchema)).value;
  } catch (error) {
    if (error instanceof SchemaCodecError && error.retriable) {
      throw new PlatformError("SCHEMA_REGISTRY_UNAVAILABLE", error.message, {
        retriable: true,
        cause: error,
      });
    }
    throw error;
  }
}
