import { PlatformError } from "@invoice/errors";
import { readSchemaId, SchemaCodecError } from "@invoice/kafka";
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import avro from "avsc";

/**
 * Decodes Avro change events in the Confluent wire format (magic byte, 4-byte schema id, Avro binary)
 * as Apicurio's AvroConverter writes them with `as-confluent` ids (docs/adr/0015-cdc-sync.md).
 *
 * Why not @invoice/kafka's createAvroCodec: Debezium's envelope carries int64 fields beyond 2^53
 * (source.ts_ns, ts_ns: nanoseconds since 1970), which avsc's default long type refuses ("potential
 * precision loss"). This decoder reads every Avro long as a bigint. To be replaced by a `longs:
 * "bigint"` option of the shared codec (listed for the lead in services/cdc-sync/README.md).
 *
 * Failure semantics (PlatformError, codes as SchemaCodecErrorCode): a record that is not in the wire
 * format, names an unknown schema id or does not decode rejects non-retriable (the record goes to the
 * DLQ); a registry that is unreachable or answers 5xx/429 rejects retriable (the record is retried).
 * PlatformError rather than the shared SchemaCodecError, which does not extend it, so that
 * `isRetriable` sees the verdict.
 */
export type AvroDecode = (bytes: Buffer) => Promise<unknown>;

const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: number | string) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint",
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

function longAsBigint(schema: avro.Schema): avro.Type | undefined {
  if (schema === "long") return bigintLong;
  if (typeof schema === "object" && schema !== null && (schema as { type?: unknown }).type === "long") {
    return bigintLong;
  }
  return undefined;
}

const NETWORK_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|socket hang up|Timeout \(/;

export function createAvroEnvelopeDecoder(options: { url: string; clientId?: string }): AvroDecode {
  const registry = new SchemaRegistry(
    {
      host: options.url,
      clientId: options.clientId,
      retry: { retries: 2, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 },
    },
    { [SchemaType.AVRO]: { typeHook: longAsBigint } },
  );
  return async (bytes) => {
    let schemaId: number;
    try {
      schemaId = readSchemaId(bytes);
    } catch (error) {
      const code = error instanceof SchemaCodecError ? error.code : "SCHEMA_MALFORMED_RECORD";
      throw new PlatformError(code, (error as Error).message, { retriable: false, cause: error });
    }
    try {
      return await registry.decode(bytes);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      if (
        (typeof code === "string" && NETWORK_ERROR.test(code)) ||
        NETWORK_ERROR.test(message) ||
        (typeof status === "number" && (status >= 500 || status === 429))
      ) {
        throw new PlatformError(
          "SCHEMA_REGISTRY_UNAVAILABLE",
          `decoding with schema ${schemaId}: registry unavailable: ${message}`,
          { retriable: true, cause: error },
        );
      }
      if (status === 404) {
        throw new PlatformError("SCHEMA_UNKNOWN_ID", `schema ${schemaId} is not in the registry`, {
          retriable: false,
          cause: error,
        });
      }
      throw new PlatformError("SCHEMA_INVALID_PAYLOAD", `decoding with schema ${schemaId}: ${message}`, {
        retriable: false,
        cause: error,
      });
    }
  };
}
