import type { IncomingRecord } from "@invoice/kafka";
import type { AvroDecode } from "./avro-envelope-decoder.ts";
import { type EnvelopeResult, parseEnvelope, parseJsonEnvelope } from "./debezium-envelope.ts";

/**
 * Which converter wrote the Merchant topic (CDC_VALUE_FORMAT): `json` (JsonConverter, with or without
 * schemas), `avro` (Confluent wire format through the registry), or `auto`, which tells them apart by
 * the first byte (0x00 = wire-format magic byte, `{` = JSON) so a converter switch at commerce needs
 * no redeploy here.
 */
export type ValueFormat = "auto" | "json" | "avro";

export type DecodedRecord = { kind: "tombstone" } | { kind: "change"; result: EnvelopeResult };

/**
 * Turns one Kafka record of the Merchant topic into an envelope result. Rejects only with what the
 * Avro decoder rejects (retriable registry outages, non-retriable codec errors); JSON problems are
 * values (`ok: false`).
 */
export function createRecordDecoder(options: { format: ValueFormat; avro?: AvroDecode }) {
  const { format, avro } = options;
  return async (record: Pick<IncomingRecord, "value">): Promise<DecodedRecord> => {
    const { value } = record;
    // Debezium's tombstone after a delete (tombstones.on.delete=true): lets log compaction drop the key.
    if (value === null || value.length === 0) return { kind: "tombstone" };
    const looksAvro = value[0] === 0;
    if (format === "avro" || (format === "auto" && looksAvro)) {
      if (!avro) {
        return {
          kind: "change",
          result: {
            ok: false,
            code: "ENVELOPE_NOT_JSON",
            message: "record is in the Avro wire format but no schema registry is configured",
          },
        };
      }
      return { kind: "change", result: parseEnvelope(await avro(value)) };
    }
    return { kind: "change", result: parseJsonEnvelope(value) };
  };
}
