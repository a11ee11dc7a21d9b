/**
 * Hand-written Debezium PostgreSQL change events, shaped like what Debezium 3.6.1 writes (captured
 * from the CDC stack: stack/cdc.sh), for unit tests, replays in end-to-end tests and the benchmark.
 */
export type MerchantRow = Record<string, unknown>;

export interface EnvelopeOptions {
  op: "c" | "u" | "d" | "r" | "t";
  before?: MerchantRow | null;
  after?: MerchantRow | null;
  lsn: number | bigint;
  txId?: number;
  tsMs?: number;
  table?: string;
}

/** The bare envelope (JsonConverter with schemas.enable=false). */
export function debeziumEnvelope(options: EnvelopeOptions): Record<string, unknown> {
  const tsMs = options.tsMs ?? 1_796_163_737_034;
  const lsn = typeof options.lsn === "bigint" ? Number(options.lsn) : options.lsn;
  return {
    before: options.before ?? null,
    after: options.after ?? null,
    source: {
      version: "3.6.1.Final",
      connector: "postgresql",
      name: "commerce",
      ts_ms: tsMs,
      snapshot: options.op === "r" ? "true" : "false",
      db: "commerce",
      sequence: `[null,"${lsn}"]`,
      ts_us: tsMs * 1000,
      ts_ns: tsMs * 1_000_000,
      schema: "public",
      table: options.table ?? "Merchant",
      txId: options.txId ?? 700,
      lsn,
      xmin: null,
    },
    transaction: null,
    op: options.op,
    ts_ms: tsMs + 100,
  };
}

/** JsonConverter with schemas.enable=true: {schema, payload}; the schema here is abridged. */
export function withSchemaWrapper(envelope: Record<string, unknown>): Record<string, unknown> {
  return {
    schema: { type: "struct", name: "commerce.public.Merchant.Envelope", optional: false, fields: [] },
    payload: envelope,
  };
}

export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A Merchant row in the fixture table's shape (services/cdc-sync/src/testing/commerce-fixture.ts). */
export function merchantRow(id: string, overrides: MerchantRow = {}): MerchantRow {
  return {
    id,
    tax_code: "0100109106",
    legal_name: `Công ty TNHH ${id}`,
    address: "1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
    province_code: "01",
    commune_code: "00070",
    email: `${id}@example.vn`,
    phone: "0241234567",
    vat_method: "KHAU_TRU",
    einvoice_enabled: true,
    einvoice_template_code: "1/001",
    einvoice_series: "C25TAA",
    shop_url: `https://shop.example.vn/${id}`,
    updated_at: "2026-12-01T22:21:47.142765Z",
    ...overrides,
  };
}
