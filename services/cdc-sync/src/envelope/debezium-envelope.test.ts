import { describe, expect, it } from "vitest";
import { debeziumEnvelope, jsonBytes, merchantRow, withSchemaWrapper } from "../testing/envelopes.ts";
import { parseEnvelope, parseJsonEnvelope } from "./debezium-envelope.ts";

describe("parseJsonEnvelope", () => {
  const update = debeziumEnvelope({ op: "u", after: merchantRow("m1"), lsn: 26_512_720, txId: 729 });

  it("reads the bare envelope (schemas.enable=false)", () => {
    const result = parseJsonEnvelope(jsonBytes(update));
    expect(result).toMatchObject({
      ok: true,
      event: {
        op: "u",
        before: null,
        source: { lsn: 26_512_720n, txId: 729n, snapshot: false, table: "commerce.public.Merchant" },
      },
    });
  });

  it("reads the same event inside the {schema, payload} wrapper (schemas.enable=true)", () => {
    expect(parseJsonEnvelope(jsonBytes(withSchemaWrapper(update)))).toEqual(
      parseJsonEnvelope(jsonBytes(update)),
    );
  });

  it("marks snapshot reads and keeps before null under the default replica identity", () => {
    const read = parseJsonEnvelope(
      jsonBytes(debeziumEnvelope({ op: "r", after: merchantRow("m1"), lsn: 5 })),
    );
    expect(read).toMatchObject({ ok: true, event: { op: "r", before: null, source: { snapshot: true } } });
  });

  it("accepts a delete whose before row holds only the key", () => {
    const del = debeziumEnvelope({ op: "d", before: { id: "m1", tax_code: null }, lsn: 9 });
    expect(parseJsonEnvelope(jsonBytes(del))).toMatchObject({ ok: true, event: { op: "d", after: null } });
  });

  it("accepts a truncate, which has no rows", () => {
    expect(parseJsonEnvelope(jsonBytes(debeziumEnvelope({ op: "t", lsn: 9 })))).toMatchObject({
      ok: true,
      event: { op: "t" },
    });
  });

  it.each([
    ["not JSON", Buffer.from("{not json"), "ENVELOPE_NOT_JSON"],
    ["a JSON array", jsonBytes([1, 2]), "ENVELOPE_NOT_JSON"],
    ["a flattened row (ExtractNewRecordState)", jsonBytes(merchantRow("m1")), "ENVELOPE_NOT_DEBEZIUM"],
    ["a message event", jsonBytes({ ...update, op: "m" }), "ENVELOPE_UNKNOWN_OP"],
    ["an update without after", jsonBytes({ ...update, after: null }), "ENVELOPE_ROW_MISSING"],
    ["a delete without before", jsonBytes(debeziumEnvelope({ op: "d", lsn: 1 })), "ENVELOPE_ROW_MISSING"],
    ["after as a string", jsonBytes({ ...update, after: "m1" }), "ENVELOPE_ROW_MISSING"],
    ["no lsn", jsonBytes({ ...update, source: { ts_ms: 1 } }), "ENVELOPE_BAD_SOURCE"],
    ["a negative lsn", jsonBytes({ ...update, source: { lsn: -1, ts_ms: 1 } }), "ENVELOPE_BAD_SOURCE"],
    ["a fractional lsn", jsonBytes({ ...update, source: { lsn: 1.5, ts_ms: 1 } }), "ENVELOPE_BAD_SOURCE"],
    ["source missing", jsonBytes({ ...update, source: null }), "ENVELOPE_BAD_SOURCE"],
  ])("refuses %s", (_name, bytes, code) => {
    expect(parseJsonEnvelope(bytes)).toMatchObject({ ok: false, code });
  });
});

describe("parseEnvelope (decoded Avro)", () => {
  it("takes int64 fields as bigint, beyond 2^53", () => {
    const avro = {
      ...debeziumEnvelope({ op: "c", after: merchantRow("m1"), lsn: 1 }),
      source: { lsn: 2n ** 60n, ts_ms: 1_796_163_737_034n, txId: 42n, ts_ns: 1_796_163_737_034_000_000n },
    };
    expect(parseEnvelope(avro)).toMatchObject({ ok: true, event: { source: { lsn: 2n ** 60n, txId: 42n } } });
  });
});
