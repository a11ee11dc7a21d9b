import { PlatformError } from "@invoice/errors";
import { type DecodeOptions, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";

/**
 * Avro encode/decode in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
 * Avro binary) against a Confluent-compatible registry (Apicurio's /apis/ccompat/v7 here).
 */
export type SchemaCodecErrorCode =
  /** Not in the Confluent wire format at all (empty, too short, wrong magic byte). */
  | "SCHEMA_MALFORMED_RECORD"
  /** The record names a schema id the registry does not know. */
  | "SCHEMA_UNKNOWN_ID"
  /** Bytes do not decode with the writer schema they name. */
  | "SCHEMA_INVALID_PAYLOAD"
  /** A value we tried to encode does not match its schema. */
  | "SCHEMA_VALIDATION_FAILED"
  /** The registry refused a schema (incompatible or invalid). */
  | "SCHEMA_REJECTED"
  /** Registry unreachable or answering 5xx: the same call may succeed later. */
  | "SCHEMA_REGISTRY_UNAVAILABLE";

/**
 * A PlatformError, so `isRetriable` (and with it the processing layer's stall-or-dead-letter
 * decision) sees SCHEMA_REGISTRY_UNAVAILABLE as retriable and every other code as final.
 */
export class SchemaCodecError extends PlatformError {
  override readonly name = "SchemaCodecError";
  declare readonly code: SchemaCodecErrorCode;
  constructor(
    message: string,
    code: SchemaCodecErrorCode,
    retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, message, { retriable, cause: options?.cause });
  }
}

export interface DecodedRecord<T = unknown> {
  schemaId: number;
  value: T;
}

/** Confluent's per-subject compatibility levels (Apicurio's ccompat API accepts the same). */
export type CompatibilityLevel =
  | "BACKWARD"
  | "BACKWARD_TRANSITIVE"
  | "FORWARD"
  | "FORWARD_TRANSITIVE"
  | "FULL"
  | "FULL_TRANSITIVE"
  | "NONE";

export interface AvroCodec {
  /**
   * Registers (or finds) the schema under the subject and returns its registry id. Refused
   * (`SCHEMA_REJECTED`) when the subject's compatibility level is not `options.compatibility`
   * (default BACKWARD): the client library insists on the level it is told. A subject that does
   * not exist yet gets that level before its first version, so an interrupted first registration
   * never leaves a version without a rule.
   */
  register(
    subject: string,
    schema: object,
    options?: { compatibility?: CompatibilityLevel },
  ): Promise<number>;
  /**
   * The subject's own compatibility level, or undefined when the subject does not exist yet.
   * Apicurio answers NONE for a subject that has versions but no rule.
   */
  getCompatibility(subject: string): Promise<CompatibilityLevel | undefined>;
  /**
   * Sets the compatibility rule the registry enforces on new versions of the subject (idempotent;
   * works before the subject's first version exists). Without one Apicurio accepts anything.
   */
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>;
  encode(schemaId: number, value: unknown): Promise<Buffer>;
  /**
   * Decodes with the writer schema named in the record; with `readerSchema`, resolves the writer's
   * data into the reader's shape (Avro schema evolution).
   */
  decode<T = unknown>(record: Buffer, readerSchema?: object): Promise<DecodedRecord<T>>;
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** Reads the schema id of a Confluent-framed record without contacting the registry. */
export function readSchemaId(record: Buffer): number {
  if (record.length < HEADER_BYTES || record[0] !== MAGIC_BYTE) {
    throw new SchemaCodecError(
      `record is not in the Confluent wire format (length ${record.length}, first byte ${record[0] ?? "none"})`,
      "SCHEMA_MALFORMED_RECORD",
      false,
    );
  }
  return record.readInt32BE(1);
}

export function createAvroCodec(options: {
  url: string;
  clientId?: string;
  /** Bound of one registry call made outside the client library (setCompatibility). */
  requestTimeoutMs?: number;
}): AvroCodec {
  const baseUrl = options.url.replace(/\/+$/, "");
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const registry = new SchemaRegistry({
    host: options.url,
    clientId: options.clientId,
    retry: { retries: 2, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 },
  });

  /**
   * One call of the subject's /config endpoint, with classified failures. Not `classify`: a 404
   * here means a wrong registry URL (or, where the caller expects it, a subject not created yet),
   * never an unknown schema id.
   */
  async function configRequest(
    subject: string,
    action: string,
    init: RequestInit,
    acceptedStatuses: number[] = [],
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/config/${encodeURIComponent(subject)}`, {
        ...init,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      // fetch rejects only when no HTTP answer arrived (refused, reset, DNS, timeout).
      const reason = error instanceof Error ? describeFetchFailure(error) : String(error);
      throw new SchemaCodecError(
        `${action}: registry unavailable: ${reason}`,
        "SCHEMA_REGISTRY_UNAVAILABLE",
        true,
        {
          cause: error,
        },
      );
    }
    if (response.ok || acceptedStatuses.includes(response.status)) return response;
    const body = (await response.text().catch(() => "")).slice(0, 500);
    if (response.status >= 500 || response.status === 429) {
      throw new SchemaCodecError(
        `${action}: registry unavailable: status ${response.status}: ${body}`,
        "SCHEMA_REGISTRY_UNAVAILABLE",
        true,
      );
    }
    throw new SchemaCodecError(`${action}: status ${response.status}: ${body}`, "SCHEMA_REJECTED", false);
  }

  async function getCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    const response = await configRequest(subject, `reading the compatibility of ${subject}`, {}, [404]);
    if (response.status === 404) return undefined;
    const level = (await response.json()) as { compatibilityLevel?: string; compatibility?: string };
    return (level.compatibilityLevel ?? level.compatibility)?.toUpperCase() as CompatibilityLevel | undefined;
  }

  async function setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    // The client library has no public call for this; the ccompat endpoint is plain REST.
    await configRequest(subject, `setting compatibility ${level} on ${subject}`, {
      method: "PUT",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ compatibility: level }),
    });
  }

  return {
    async register(subject, schema, registerOptions = {}) {
      const level = registerOptions.compatibility ?? "BACKWARD";
      try {
        // A new subject gets its rule before its first version. The client library does it the
        // other way round (version, then rule): a process that dies between the two leaves a
        // subject with a version and no rule, which Apicurio reports as NONE, and every later
        // register expecting BACKWARD is refused for good — in the issuer, every InvoiceEvent
        // publish (found by the chaos SIGKILL scenario). Rule first is safe to interrupt.
        if ((await getCompatibility(subject)) === undefined) await setCompatibility(subject, level);
        const { id } = await registry.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          // The library's COMPATIBILITY enum has the same string values as CompatibilityLevel.
          { subject, compatibility: level as never },
        );
        return id;
      } catch (error) {
        throw classify(error, `registering ${subject}`, "SCHEMA_REJECTED");
      }
    },

    getCompatibility,
    setCompatibility,

    async encode(schemaId, value) {
      try {
        return await registry.encode(schemaId, value);
      } catch (error) {
        throw classify(error, `encoding with schema ${schemaId}`, "SCHEMA_VALIDATION_FAILED");
      }
    },

    async decode<T>(record: Buffer, readerSchema?: object): Promise<DecodedRecord<T>> {
      const schemaId = readSchemaId(record);
      try {
        const value = (await registry.decode(
          record,
          readerSchema ? ({ [SchemaType.AVRO]: { readerSchema } } as DecodeOptions) : undefined,
        )) as T;
        return { schemaId, value };
      } catch (error) {
        throw classify(error, `decoding with schema ${schemaId}`, "SCHEMA_INVALID_PAYLOAD");
      }
    },
  };
}

function classify(error: unknown, action: string, fallback: SchemaCodecErrorCode): SchemaCodecError {
  if (error instanceof SchemaCodecError) return error;
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  // mappersmith (the registry library's HTTP layer) reports a network failure as a response with
  // status 400 and the socket error in the message, so the message is checked before the status.
  if (isNetworkError(error, message) || (typeof status === "number" && status >= 500)) {
    return new SchemaCodecError(
      `${action}: registry unavailable: ${message}`,
      "SCHEMA_REGISTRY_UNAVAILABLE",
      true,
      {
        cause: error,
      },
    );
  }
  if (status === 404) {
    return new SchemaCodecError(`${action}: schema not found in the registry`, "SCHEMA_UNKNOWN_ID", false, {
      cause: error,
    });
  }
  if (typeof status === "number" && status >= 400) {
    return new SchemaCodecError(`${action}: ${message}`, "SCHEMA_REJECTED", false, { cause: error });
  }
  return new SchemaCodecError(`${action}: ${message}`, fallback, false, { cause: error });
}

const NETWORK_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|socket hang up|Timeout \(/;

function isNetworkError(error: unknown, message: string): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && NETWORK_ERROR.test(code)) || NETWORK_ERROR.test(message);
}

function describeFetchFailure(error: Error): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail =
    typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  return detail ? `${error.message} (${detail})` : error.message;
}
