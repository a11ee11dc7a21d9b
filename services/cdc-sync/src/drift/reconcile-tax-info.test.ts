import { describe, expect, it } from "vitest";
import { metadataTaxOf } from "../store/tax-info-store.ts";
import { DEFAULT_COLUMN_MAPPING } from "../tax/column-mapping.ts";
import { extractTaxRecord, type TaxRecord } from "../tax/tax-record.ts";
import { merchantRow } from "../testing/envelopes.ts";
import { driftsOf } from "./reconcile-tax-info.ts";

function record(overrides: Record<string, unknown> = {}): TaxRecord {
  const r = extractTaxRecord(merchantRow("m1", overrides), DEFAULT_COLUMN_MAPPING);
  if (!r.ok) throw new Error(r.message);
  return r.record;
}

const row = (over: Partial<Parameters<typeof driftsOf>[0]> = {}) => ({
  merchantId: "m1",
  ...record(),
  deletedAt: null,
  hasProfile: true,
  metadataTax: metadataTaxOf(record(), 5n, new Date()) as unknown as Record<string, unknown>,
  ...over,
});

describe("driftsOf", () => {
  it("finds nothing when metadata.tax and commerce agree, whatever the key order jsonb returns", () => {
    const reordered = {
      ...row().metadataTax,
      eInvoiceSettings: { series: "C25TAA", enabled: true, templateCode: "1/001" },
    };
    expect(
      driftsOf(row({ metadataTax: reordered }), DEFAULT_COLUMN_MAPPING, { row: merchantRow("m1") }),
    ).toEqual([]);
  });
  it("names the fields metadata.tax and commerce disagree on", () => {
    const tax = { ...row().metadataTax, address: "elsewhere" };
    expect(
      driftsOf(row({ metadataTax: tax }), DEFAULT_COLUMN_MAPPING, {
        row: merchantRow("m1", { email: "new@x.vn" }),
      }),
    ).toEqual([
      { merchantId: "m1", kind: "METADATA_MISMATCH", fields: ["address"] },
      { merchantId: "m1", kind: "SOURCE_MISMATCH", fields: ["email"] },
    ]);
  });
  it("reports a missing metadata.tax only when a profile exists, and deletions on either side", () => {
    expect(driftsOf(row({ metadataTax: null }), DEFAULT_COLUMN_MAPPING)).toEqual([
      { merchantId: "m1", kind: "METADATA_MISSING", fields: [] },
    ]);
    expect(driftsOf(row({ metadataTax: null, hasProfile: false }), DEFAULT_COLUMN_MAPPING)).toEqual([]);
    expect(driftsOf(row(), DEFAULT_COLUMN_MAPPING, { row: undefined })).toEqual([
      { merchantId: "m1", kind: "SOURCE_MISSING", fields: [] },
    ]);
    const deleted = row({ deletedAt: new Date(), metadataTax: null });
    expect(driftsOf(deleted, DEFAULT_COLUMN_MAPPING, { row: merchantRow("m1") })).toEqual([
      { merchantId: "m1", kind: "SOURCE_MISMATCH", fields: ["deleted"] },
    ]);
  });
});
