/**
 * Debezium's PostgreSQL change-event envelope (debezium.io, "PostgreSQL connector: data change
 * events"), independent of the converter that carried it: JSON with or without the `schema` wrapper,
 * or Avro. Pure; no I/O.
 */

export type ChangeOp = "c" | "u" | "d" | "r" | "t";

export interface SourcePosition {
  /** source.lsn: WAL position of this change; increases per row in commit order. */
  lsn: bigint;
  /** source.txId, when present. */
  txId: bigint | null;
  /** source.ts_ms: commit time at the source, epoch ms. */
  commitTimeMs: number;
  /** source.snapshot: true for snapshot reads (op r), including "last"/"first_in_data_collection". */
  snapshot: boolean;
  /** db.schema.table the row belongs to. */
  table: string;
}

export type ChangeEvent =
  | { op: "c" | "u" | "r"; before: Row | null; after: Row; source: SourcePosition }
  | { op: "d"; before: Row; after: null; source: SourcePosition }
  | { op: "t"; before: null; after: null; source: SourcePosition };

export type Row = Record<string, unknown>;

export type EnvelopeErrorCode =
  /** Bytes are not JSON / not an object. */
  | "ENVELOPE_NOT_JSON"
  /** JSON without Debezium's envelope (op/source missing): another producer, or ExtractNewRecordState. */
  | "ENVELOPE_NOT_DEBEZIUM"
  /** op is none of c/u/d/r/t (m = logical decoding message is not a row change). */
  | "ENVELOPE_UNKNOWN_OP"
  /** The row image op requires is missing (after for c/u/r, before for d). */
  | "ENVELOPE_ROW_MISSING"
  /** source.lsn / source.ts_ms missing or not a non-negative integer. */
  | "ENVELOPE_BAD_SOURCE";

export type EnvelopeResult =
  | { ok: true; event: ChangeEvent }
  | { ok: false; code: EnvelopeErrorCode; message: string };

const fail = (code: EnvelopeErrorCode, message: string): EnvelopeResult => ({ ok: false, code, message });

function isObject(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A JSON number, an Avro long (bigint with our decoder) or a decimal string, as a non-negative bigint. */
function asUint(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value >= 0n ? value : undefined;
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
}

function parseSource(value: unknown): SourcePosition | string {
  if (!isObject(value)) return "source is missing or not an object";
  const lsn = asUint(value.lsn);
  if (lsn === undefined)
    return `source.lsn is not a non-negative integer: ${JSON.stringify(String(value.lsn))}`;
  const tsMs = asUint(value.ts_ms);
  if (tsMs === undefined)
    return `source.ts_ms is not a non-negative integer: ${JSON.stringify(String(value.ts_ms))}`;
  const txId = value.txId === null || value.txId === undefined ? null : (asUint(value.txId) ?? null);
  const snapshot =
    value.snapshot !== undefined &&
    value.snapshot !== null &&
    value.snapshot !== false &&
    value.snapshot !== "false";
  const table = [value.db, value.schema, value.table].filter((p) => typeof p === "string").join(".");
  return { lsn, txId, commitTimeMs: Number(tsMs), snapshot, table };
}

/**
 * Validates a decoded envelope. `payload` is the envelope object: for JSON with schemas it is the
 * wrapper's `payload` (see unwrapJsonEnvelope).
 */
export function parseEnvelope(payload: unknown): EnvelopeResult {
  if (!isObject(payload)) return fail("ENVELOPE_NOT_DEBEZIUM", "the change event is not an object");
  if (!("op" in payload) || !("source" in payload)) {
    return fail(
      "ENVELOPE_NOT_DEBEZIUM",
      `not a Debezium envelope (no op/source; fields: ${Object.keys(payload).slice(0, 12).join(", ")}); is ExtractNewRecordState configured?`,
    );
  }
  const { op } = payload;
  if (op !== "c" && op !== "u" && op !== "d" && op !== "r" && op !== "t") {
    return fail("ENVELOPE_UNKNOWN_OP", `unknown op ${JSON.stringify(op)}; expected c, u, d, r or t`);
  }
  const source = parseSource(payload.source);
  if (typeof source === "string") return fail("ENVELOPE_BAD_SOURCE", source);
  const before = payload.before ?? null;
  const after = payload.after ?? null;
  if (before !== null && !isObject(before)) return fail("ENVELOPE_ROW_MISSING", "before is not an object");
  if (after !== null && !isObject(after)) return fail("ENVELOPE_ROW_MISSING", "after is not an object");
  switch (op) {
    case "c":
    case "u":
    case "r":
      if (after === null) return fail("ENVELOPE_ROW_MISSING", `op=${op} without an after row`);
      return { ok: true, event: { op, before, after, source } };
    case "d":
      if (before === null) return fail("ENVELOPE_ROW_MISSING", "op=d without a before row");
      return { ok: true, event: { op, before, after: null, source } };
    case "t":
      return { ok: true, event: { op, before: null, after: null, source } };
  }
}

/**
 * JsonConverter with schemas.enable=true wraps each value as {schema, payload}; without it the value
 * is the envelope itself. A bare envelope never has a top-level `payload` and `schema` pair.
 */
export function unwrapJsonEnvelope(json: unknown): unknown {
  if (isObject(json) && "payload" in json && "schema" in json && isObject(json.schema)) return json.payload;
  return json;
}

/** Parses JSON bytes into an envelope result (either JSON variant). */
export function parseJsonEnvelope(bytes: Buffer): EnvelopeResult {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return fail("ENVELOPE_NOT_JSON", `value is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) return fail("ENVELOPE_NOT_JSON", "value is JSON but not an object");
  return parseEnvelope(unwrapJsonEnvelope(json));
}
