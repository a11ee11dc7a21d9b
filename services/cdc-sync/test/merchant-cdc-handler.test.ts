/**
 * The per-key batch handler against the real database, with hand-written envelopes (no Debezium):
 * one disposition per record, the batch written in one transaction, a record the database refuses
 * isolated and dead-lettered while the others are applied; and the ops CLI entry.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createSnowflakeGenerator } from "@invoice/ids";
import type { IncomingRecord } from "@invoice/kafka";
import { createMetrics } from "@invoice/observability";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAvroEnvelopeDecoder } from "../src/envelope/avro-envelope-decoder.ts";
import { createRecordDecoder } from "../src/envelope/record-decoder.ts";
import { createCdcMetrics } from "../src/handler/cdc-metrics.ts";
import { createMerchantCdcHandler } from "../src/handler/merchant-cdc.handler.ts";
import { createPrismaTaxInfoStore } from "../src/store/prisma-tax-info-store.ts";
import { DEFAULT_COLUMN_MAPPING } from "../src/tax/column-mapping.ts";
import {
  debeziumEnvelope,
  type EnvelopeOptions,
  jsonBytes,
  merchantRow,
  withSchemaWrapper,
} from "../src/testing/index.ts";
import {
  capturingLogger,
  createInvoiceDatabase,
  createProfile,
  type InvoiceDatabase,
  metadata,
  taxInfo,
} from "./fixtures.ts";

let offset = 0;
function record(value: Buffer | null, key = "k"): IncomingRecord {
  offset += 1;
  return {
    topic: "commerce.public.Merchant",
    partition: 0,
    offset: String(offset),
    key: Buffer.from(key),
    value,
    headers: {},
    timestamp: "0",
  };
}
const event = (options: EnvelopeOptions) =>
  record(jsonBytes(debeziumEnvelope(options)), String(options.after?.id ?? options.before?.id));

describe("createMerchantCdcHandler on PostgreSQL", () => {
  let db: InvoiceDatabase;
  let handle: ReturnType<typeof createMerchantCdcHandler>;
  const { logger, lines } = capturingLogger();
  const registry = createMetrics({ service: "handler-test", defaultMetrics: false });

  beforeAll(async () => {
    db = await createInvoiceDatabase("cdc_handler");
    handle = createMerchantCdcHandler({
      decode: createRecordDecoder({ format: "json" }),
      store: createPrismaTaxInfoStore({ prisma: db.prisma, ids: createSnowflakeGenerator({ workerId: 3 }) }),
      mapping: DEFAULT_COLUMN_MAPPING,
      logger,
      metrics: createCdcMetrics(registry),
    });
  });
  afterAll(() => db?.drop());

  it("returns one disposition per record, in input order", async () => {
    await createProfile(db, "h1");
    const out = await handle([
      event({ op: "c", after: merchantRow("h1"), lsn: 100 }),
      record(null, "h0"), // tombstone
      record(Buffer.from("garbage"), "hx"),
      record(
        jsonBytes(withSchemaWrapper(debeziumEnvelope({ op: "c", after: merchantRow("h2"), lsn: 101 }))),
        "h2",
      ),
      record(
        jsonBytes({ ...debeziumEnvelope({ op: "c", after: merchantRow("h3"), lsn: 1 }), op: "x" }),
        "h3",
      ),
      event({ op: "t", lsn: 102 }),
    ]);
    expect(out.map((d) => d.outcome)).toEqual(["done", "done", "dead-letter", "done", "dead-letter", "done"]);
    expect(out[2]).toMatchObject({
      reason: "deserialization",
      error: { code: "ENVELOPE_NOT_JSON", retriable: false },
    });
    expect(out[4]).toMatchObject({ reason: "deserialization", error: { code: "ENVELOPE_UNKNOWN_OP" } });
    expect(await taxInfo(db, "h1")).toMatchObject({ sourceLsn: "100", deletedAt: null });
    expect(await taxInfo(db, "h2")).toMatchObject({ sourceLsn: "101" });
    expect((await metadata(db, "h1")).tax).toMatchObject({ sourceLsn: "100", taxCode: "0100109106" });
    expect(
      lines.some((l) => l.level === "error" && String(l.msg).startsWith("[handleMerchantCDC] op=t")),
    ).toBe(true);
  });

  it("applies events of one merchant in one batch in order, and never lets an older one win", async () => {
    const out = await handle([
      event({ op: "u", after: merchantRow("h1", { legal_name: "v300" }), lsn: 300 }),
      event({ op: "u", after: merchantRow("h1", { legal_name: "v200" }), lsn: 200 }),
      event({ op: "u", after: merchantRow("h1", { legal_name: "v300", shop_url: "x" }), lsn: 310 }),
    ]);
    expect(out.map((d) => d.outcome)).toEqual(["done", "done", "done"]);
    expect(await taxInfo(db, "h1")).toMatchObject({ legalName: "v300", sourceLsn: "300" });
    const msgs = lines.filter((l) => l.merchantId === "h1").map((l) => l.msg);
    expect(msgs).toEqual(
      expect.arrayContaining([
        "[handleMerchantCDC] op=u stale event, SKIP",
        "[handleMerchantCDC] op=u tax unchanged, SKIP",
      ]),
    );
  });

  it("applies two tax changes of one merchant in one batch, auditing both", async () => {
    const out = await handle([
      event({ op: "u", after: merchantRow("h1", { legal_name: "v400" }), lsn: 400 }),
      event({ op: "u", after: merchantRow("h1", { legal_name: "v410", address: "Huế" }), lsn: 410 }),
    ]);
    expect(out.map((d) => d.outcome)).toEqual(["done", "done"]);
    expect(await taxInfo(db, "h1")).toMatchObject({ legalName: "v410", address: "Huế", sourceLsn: "410" });
    const { rows } = await db.sql.query(
      `SELECT "sourceLsn"::text AS lsn, "changedFields", "before"->>'legalName' AS before FROM "TaxInfoAudit"
       WHERE "merchantId" = 'h1' AND "sourceLsn" >= 400 ORDER BY "sourceLsn"`,
    );
    expect(rows).toEqual([
      { lsn: "400", changedFields: ["legalName"], before: "v300" },
      { lsn: "410", changedFields: ["legalName", "address"], before: "v400" },
    ]);
    // Written in one transaction (one statement time), not re-run record by record after a refusal.
    const { rows: times } = await db.sql.query(
      `SELECT DISTINCT "createdAt" FROM "TaxInfoAudit" WHERE "merchantId" = 'h1' AND "sourceLsn" >= 400`,
    );
    expect(times).toHaveLength(1);
  });

  it("dead-letters only the record the database refuses; the rest of the batch is applied", async () => {
    const out = await handle([
      event({ op: "c", after: merchantRow("h4"), lsn: 500 }),
      event({ op: "c", after: merchantRow("h5", { legal_name: "x".repeat(401) }), lsn: 501 }),
      event({ op: "c", after: merchantRow("h6"), lsn: 502 }),
    ]);
    expect(out.map((d) => d.outcome)).toEqual(["done", "dead-letter", "done"]);
    expect(out[1]).toMatchObject({ reason: "non-retryable", error: { retriable: false } });
    expect(await taxInfo(db, "h4")).toBeDefined();
    expect(await taxInfo(db, "h5")).toBeUndefined();
    expect(await taxInfo(db, "h6")).toBeDefined();
  });

  it("asks for a retry, writing nothing, while the database is unreachable", async () => {
    const broken = createMerchantCdcHandler({
      decode: createRecordDecoder({ format: "json" }),
      store: createPrismaTaxInfoStore({
        prisma: (await import("@invoice/db")).createPrismaClient({
          databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere",
          connectionTimeoutMs: 500,
        }),
        ids: createSnowflakeGenerator({ workerId: 3 }),
      }),
      mapping: DEFAULT_COLUMN_MAPPING,
      logger,
      metrics: createCdcMetrics(registry),
    });
    const out = await broken([event({ op: "c", after: merchantRow("h7"), lsn: 600 }), record(null, "h7")]);
    expect(out.map((d) => d.outcome)).toEqual(["retry", "done"]);
  });
});

describe("createMerchantCdcHandler with Avro records", () => {
  it("retries while the registry is unreachable and dead-letters what is not in the wire format", async () => {
    const { logger } = capturingLogger();
    const handle = createMerchantCdcHandler({
      decode: createRecordDecoder({
        format: "avro",
        avro: createAvroEnvelopeDecoder({ url: "http://127.0.0.1:1/apis/ccompat/v7" }),
      }),
      store: {
        withLockedMerchants: () => Promise.reject(new Error("not reached: nothing decodes")),
      },
      mapping: DEFAULT_COLUMN_MAPPING,
      logger,
      metrics: createCdcMetrics(createMetrics({ service: "avro-test", defaultMetrics: false })),
    });
    const out = await handle([record(Buffer.from([0, 0, 0, 0, 7, 2, 4])), record(Buffer.from([1, 2, 3]))]);
    expect(out[0]).toMatchObject({ outcome: "retry" });
    expect(out[1]).toMatchObject({
      outcome: "dead-letter",
      reason: "deserialization",
      error: { code: "SCHEMA_MALFORMED_RECORD" },
    });
  });
});

describe("tax-info CLI", () => {
  const cli = fileURLToPath(new URL("../src/tax-info.cli.ts", import.meta.url));
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", cli, ...args],
        { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  let db: InvoiceDatabase;
  beforeAll(async () => {
    db = await createInvoiceDatabase("cdc_cli");
  });
  afterAll(() => db?.drop());

  it("reconciles and prints one JSON object; refuses a re-sync without the commerce database", async () => {
    const ok = await run(["reconcile"], { DATABASE_URL: db.url });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ command: "reconcile", checked: 0, drifts: [] });
    const refused = await run(["resync", "m1"], { DATABASE_URL: db.url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("CDC_COMMERCE_DATABASE_URL");
    expect((await run(["bogus"], { DATABASE_URL: db.url })).code).toBe(2);
  });
});
