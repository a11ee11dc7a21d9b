import { describe, expect, it } from "vitest";
import { type ChangeEvent, parseEnvelope } from "../envelope/debezium-envelope.ts";
import { debeziumEnvelope, type EnvelopeOptions, merchantRow } from "../testing/envelopes.ts";
import { DEFAULT_COLUMN_MAPPING } from "./column-mapping.ts";
import { decideChange, type StoredTaxInfo } from "./decide-change.ts";
import { extractTaxRecord } from "./tax-record.ts";

function event(options: EnvelopeOptions): ChangeEvent {
  const parsed = parseEnvelope(debeziumEnvelope(options));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.event;
}

function stored(row: Record<string, unknown>, lsn: bigint, deleted = false): StoredTaxInfo {
  const extracted = extractTaxRecord(row, DEFAULT_COLUMN_MAPPING);
  if (!extracted.ok) throw new Error(extracted.message);
  return { record: extracted.record, sourceLsn: lsn, deleted };
}

const decide = (e: ChangeEvent, s?: StoredTaxInfo) => decideChange(e, DEFAULT_COLUMN_MAPPING, s);

describe("decideChange: diff", () => {
  it("applies the first sight of a merchant, whatever the op", () => {
    for (const op of ["c", "u", "r"] as const) {
      expect(decide(event({ op, after: merchantRow("m1"), lsn: 10 }))).toMatchObject({
        kind: "apply",
        merchantId: "m1",
        changed: ["*"],
      });
    }
  });

  it("skips an update that changed only non-tax columns", () => {
    const e = event({ op: "u", after: merchantRow("m1", { shop_url: "new" }), lsn: 20 });
    expect(decide(e, stored(merchantRow("m1"), 10n))).toEqual({
      kind: "unchanged",
      op: "u",
      merchantId: "m1",
    });
  });

  it("applies an update of a tax field, naming it", () => {
    const e = event({ op: "u", after: merchantRow("m1", { address: "2 Lê Lợi, Huế" }), lsn: 20 });
    expect(decide(e, stored(merchantRow("m1"), 10n))).toMatchObject({ kind: "apply", changed: ["address"] });
  });

  it("re-creates a deleted merchant", () => {
    const e = event({ op: "c", after: merchantRow("m1"), lsn: 30 });
    expect(decide(e, stored(merchantRow("m1"), 20n, true))).toMatchObject({ kind: "apply", changed: ["*"] });
  });

  it("finds a snapshot read of the same state unchanged (a connector restart is harmless)", () => {
    const e = event({ op: "r", after: merchantRow("m1"), lsn: 500 });
    expect(decide(e, stored(merchantRow("m1"), 20n))).toMatchObject({ kind: "unchanged", op: "r" });
  });
});

describe("decideChange: ordering by LSN", () => {
  const current = stored(merchantRow("m1", { tax_code: "0312345678" }), 200n);

  it("never applies an older event over a newer one", () => {
    const older = event({ op: "u", after: merchantRow("m1"), lsn: 199 });
    expect(decide(older, current)).toEqual({ kind: "stale", op: "u", merchantId: "m1", storedLsn: 200n });
  });

  it("treats the same LSN again as a redelivery: diffed, not stale", () => {
    const again = event({ op: "u", after: merchantRow("m1", { tax_code: "0312345678" }), lsn: 200 });
    expect(decide(again, current)).toMatchObject({ kind: "unchanged" });
  });

  it("keeps a deleted merchant deleted against an older create", () => {
    const gone = stored(merchantRow("m1"), 300n, true);
    expect(decide(event({ op: "c", after: merchantRow("m1"), lsn: 100 }), gone)).toMatchObject({
      kind: "stale",
    });
  });

  it("ignores an older delete", () => {
    expect(decide(event({ op: "d", before: { id: "m1" }, lsn: 100 }), current)).toMatchObject({
      kind: "stale",
    });
  });
});

describe("decideChange: deletes", () => {
  it("soft-deletes from a key-only before row (REPLICA IDENTITY DEFAULT)", () => {
    const del = event({ op: "d", before: { id: "m1", tax_code: null, legal_name: null }, lsn: 300 });
    expect(decide(del, stored(merchantRow("m1"), 200n))).toEqual({
      kind: "delete",
      op: "d",
      merchantId: "m1",
    });
  });
  it("skips a second delete and a delete of an unknown merchant", () => {
    const del = event({ op: "d", before: { id: "m1" }, lsn: 300 });
    expect(decide(del, stored(merchantRow("m1"), 300n, true))).toMatchObject({ kind: "unchanged", op: "d" });
    expect(decide(del)).toMatchObject({ kind: "unknown-delete" });
  });
  it("refuses a delete that does not carry the merchant id column", () => {
    const del = event({ op: "d", before: { pk: 7 }, lsn: 300 });
    expect(decide(del)).toMatchObject({ kind: "invalid", code: "MERCHANT_ID_MISSING" });
  });
});

describe("decideChange: what it refuses", () => {
  it("never deletes on a truncate", () => {
    expect(decide(event({ op: "t", lsn: 1 }), stored(merchantRow("m1"), 0n))).toEqual({
      kind: "truncate",
      op: "t",
    });
  });
  it("refuses a row the mapping cannot read", () => {
    const { tax_code: _gone, ...row } = merchantRow("m1");
    expect(decide(event({ op: "u", after: row, lsn: 10 }))).toMatchObject({
      kind: "invalid",
      code: "MAPPING_COLUMN_MISSING",
      field: "taxCode",
    });
  });
  it("checks staleness before the mapping, so an old malformed row is just stale", () => {
    const { tax_code: _gone, ...row } = merchantRow("m1");
    expect(decide(event({ op: "u", after: row, lsn: 10 }), stored(merchantRow("m1"), 20n))).toMatchObject({
      kind: "stale",
    });
  });
});
