/**
 * Commerce's real Merchant table is not our fixture: extra columns, renamed ones. The column mapping
 * (configuration) absorbs that; a mapping that does not fit is an error the operator sees (DLQ with
 * the reason, a metric per field). Then drift: the reconciliation job finds what differs and a re-sync
 * repairs one merchant.
 */
import { createSnowflakeGenerator } from "@invoice/ids";
import { createMetrics } from "@invoice/observability";
import { uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommerceMerchantSource } from "../src/drift/commerce-merchant-source.ts";
import { createDriftMetrics, reconcileTaxInfo } from "../src/drift/reconcile-tax-info.ts";
import { resyncMerchant } from "../src/resync/resync-merchant.ts";
import { createPrismaTaxInfoStore } from "../src/store/prisma-tax-info-store.ts";
import { type ColumnMapping, DEFAULT_COLUMN_MAPPING } from "../src/tax/column-mapping.ts";
import {
  type CommerceDatabase,
  createCommerceDatabase,
  ensureCdcStack,
  type RunningConnector,
  startConnector,
} from "../src/testing/index.ts";
import {
  type CdcSync,
  capturingLogger,
  createInvoiceDatabase,
  createProfile,
  type InvoiceDatabase,
  metadata,
  readTopic,
  startCdcSync,
  taxInfo,
} from "./fixtures.ts";

// Commerce's table as another team shaped it: a numeric surrogate key, the merchant's code as a
// separate unique column, Vietnamese column names, and columns cdc-sync has never heard of.
const COMMERCE_DDL = `
  CREATE TABLE "Merchant" (
    merchant_code   varchar(64) PRIMARY KEY,
    mst             varchar(32) NOT NULL,
    ten_phap_ly     text NOT NULL,
    dia_chi         text NOT NULL,
    ma_tinh         varchar(8),
    email_hoa_don   text,
    loyalty_tier    text,
    kyc_status      text,
    created_by      bigint,
    payload         jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now()
  )`;

const MAPPING: ColumnMapping = {
  merchantId: "merchant_code",
  taxCode: "mst",
  legalName: "ten_phap_ly",
  address: "dia_chi",
  provinceCode: "ma_tinh",
  communeCode: null,
  email: "email_hoa_don",
  phone: null,
  vatMethod: null,
  eInvoice: {},
};

const WAIT = { timeoutMs: 45_000, intervalMs: 50 };

describe("a Merchant table shaped differently from the fixture", () => {
  let commerce: CommerceDatabase;
  let db: InvoiceDatabase;
  let connector: RunningConnector;
  let mapped: CdcSync;
  let misconfigured: CdcSync;
  let misconfiguredDb: InvoiceDatabase;

  beforeAll(async () => {
    await ensureCdcStack();
    [commerce, db, misconfiguredDb] = await Promise.all([
      createCommerceDatabase("commerce_shape", COMMERCE_DDL),
      createInvoiceDatabase("cdc_shape"),
      createInvoiceDatabase("cdc_shape_bad"),
    ]);
    await commerce.client.query(
      `INSERT INTO "Merchant" (merchant_code, mst, ten_phap_ly, dia_chi, ma_tinh, email_hoa_don, loyalty_tier, created_by, payload)
       VALUES ('shop-a', '0100109106', 'Công ty A', 'Hà Nội', '01', 'hd@a.vn', 'gold', 42, '{"x":1}')`,
    );
    await createProfile(db, "shop-a");
    const prefix = uniqueName("cdc_shape");
    connector = await startConnector({ name: prefix, database: commerce, prefix, format: "json" });
    [mapped, misconfigured] = await Promise.all([
      startCdcSync({ db, topic: connector.topic, mapping: MAPPING }),
      // The default mapping on this table: it names columns (id, tax_code, ...) the table does not have.
      startCdcSync({ db: misconfiguredDb, topic: connector.topic, mapping: DEFAULT_COLUMN_MAPPING }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([mapped?.stop(), misconfigured?.stop()]);
    await connector?.remove();
    await mapped?.admin.connect();
    await mapped?.admin
      .deleteTopics([connector.topic, mapped.dlqTopic, misconfigured.dlqTopic])
      .catch(() => undefined);
    await mapped?.admin.disconnect();
    await Promise.all([commerce?.drop(), db?.drop(), misconfiguredDb?.drop()]);
  });

  it("reads renamed columns through the mapping and ignores the unknown ones", async () => {
    const row = await waitFor(() => taxInfo(db, "shop-a"), { ...WAIT, description: "shop-a in TaxInfo" });
    expect(row).toMatchObject({ taxCode: "0100109106", legalName: "Công ty A", address: "Hà Nội" });
    expect((await metadata(db, "shop-a")).tax).toMatchObject({
      provinceCode: "01",
      email: "hd@a.vn",
      phone: null,
    });

    await commerce.client.query(
      `UPDATE "Merchant" SET loyalty_tier = 'platinum', kyc_status = 'ok' WHERE merchant_code = 'shop-a'`,
    );
    await waitFor(
      () => mapped.lines.some((l) => l.msg === "[handleMerchantCDC] op=u tax unchanged, SKIP"),
      WAIT,
    );
    await commerce.client.query(
      `UPDATE "Merchant" SET dia_chi = 'Đà Nẵng', ma_tinh = '48' WHERE merchant_code = 'shop-a'`,
    );
    await waitFor(async () => (await taxInfo(db, "shop-a"))?.address === "Đà Nẵng", WAIT);
    expect((await metadata(db, "shop-a")).tax).toMatchObject({ address: "Đà Nẵng", provinceCode: "48" });
  });

  it("dead-letters every row a mismatched mapping cannot read, naming the missing column", async () => {
    const dlq = await readTopic(misconfigured.kafka, misconfigured.dlqTopic, (rs) => rs.length >= 3);
    expect(dlq[0]?.headers).toMatchObject({
      "dlq.reason": "non-retryable",
      "dlq.original.topic": connector.topic,
    });
    expect(dlq.map((r) => r.headers["dlq.error.code"])).toEqual([
      "MERCHANT_ID_MISSING",
      "MERCHANT_ID_MISSING",
      "MERCHANT_ID_MISSING",
    ]);
    expect(dlq[0]?.headers["dlq.error.message"]).toContain('"id"');
    const errors = await misconfigured.registry.getSingleMetric("invoice_cdc_mapping_errors_total")?.get();
    expect(errors?.values.find((v) => v.labels.field === "merchantId")?.value).toBe(3);
    expect(await taxInfo(misconfiguredDb, "shop-a")).toBeUndefined();
  });

  it("finds drift against metadata.tax and the commerce table, and a re-sync repairs it", async () => {
    await waitFor(async () => (await taxInfo(db, "shop-a"))?.address === "Đà Nẵng", WAIT);
    const { logger, lines } = capturingLogger();
    const source = createCommerceMerchantSource({
      databaseUrl: commerce.url,
      table: "public.Merchant",
      mapping: MAPPING,
    });
    const metrics = createDriftMetrics(createMetrics({ service: "drift-test", defaultMetrics: false }));
    try {
      expect(await source.missingColumns()).toEqual([]);
      const clean = await reconcileTaxInfo({ prisma: db.prisma, mapping: MAPPING, source, logger, metrics });
      expect(clean.drifts).toEqual([]);

      // A lost change (someone edited TaxInfo by hand), a metadata.tax out of step, a merchant whose
      // creation never reached us (cdc-sync stopped, events gone).
      await mapped.stop();
      await db.sql.query(`UPDATE "TaxInfo" SET "legalName" = 'tampered' WHERE "merchantId" = 'shop-a'`);
      await db.sql.query(
        `UPDATE "MerchantProfile" SET metadata = jsonb_set(metadata, '{tax,email}', '"old@a.vn"') WHERE "merchantId" = 'shop-a'`,
      );
      await commerce.client.query(
        `INSERT INTO "Merchant" (merchant_code, mst, ten_phap_ly, dia_chi) VALUES ('shop-b', '0312345678', 'Công ty B', 'Huế')`,
      );
      const report = await reconcileTaxInfo({ prisma: db.prisma, mapping: MAPPING, source, logger, metrics });
      expect(report.drifts).toEqual(
        expect.arrayContaining([
          { merchantId: "shop-a", kind: "METADATA_MISMATCH", fields: ["legalName", "email"] },
          { merchantId: "shop-a", kind: "SOURCE_MISMATCH", fields: ["legalName"] },
          { merchantId: "shop-b", kind: "TAXINFO_MISSING", fields: [] },
        ]),
      );
      expect(report.drifts).toHaveLength(3);
      expect(lines.filter((l) => l.msg === "[reconcileTaxInfo] drift").map((l) => l.merchantId)).toEqual(
        expect.arrayContaining(["shop-a", "shop-b"]),
      );
      const gauge = await metrics.merchants.get();
      expect(gauge.values.find((v) => v.labels.kind === "TAXINFO_MISSING")?.value).toBe(1);
      const { rows: open } = await db.sql.query(
        `SELECT "merchantId", kind FROM "TaxInfoDrift" ORDER BY 1, 2`,
      );
      expect(open).toHaveLength(3);

      const store = createPrismaTaxInfoStore({
        prisma: db.prisma,
        ids: createSnowflakeGenerator({ workerId: 9 }),
      });
      const opts = { source, store, mapping: MAPPING, logger, actor: "ops:test" };
      const dry = await resyncMerchant({ ...opts, merchantId: "shop-a", dryRun: true });
      expect(dry).toMatchObject({ outcome: "applied", changedFields: ["legalName"], dryRun: true });
      expect((await taxInfo(db, "shop-a"))?.legalName).toBe("tampered");
      expect(await resyncMerchant({ ...opts, merchantId: "shop-a" })).toMatchObject({ outcome: "applied" });
      expect(await resyncMerchant({ ...opts, merchantId: "shop-b" })).toMatchObject({
        outcome: "applied",
        changedFields: ["*"],
      });
      expect(await resyncMerchant({ ...opts, merchantId: "shop-b" })).toMatchObject({ outcome: "unchanged" });
      expect(await resyncMerchant({ ...opts, merchantId: "nobody" })).toMatchObject({ outcome: "absent" });
      expect((await taxInfo(db, "shop-a"))?.legalName).toBe("Công ty A");
      expect((await metadata(db, "shop-a")).tax).toMatchObject({ legalName: "Công ty A", email: "hd@a.vn" });
      const { rows: audit } = await db.sql.query(
        `SELECT actor, operation FROM "TaxInfoAudit" WHERE "merchantId" = 'shop-a' ORDER BY "createdAt" DESC, id DESC LIMIT 1`,
      );
      expect(audit[0]).toEqual({ actor: "ops:test", operation: "resync" });

      const after = await reconcileTaxInfo({ prisma: db.prisma, mapping: MAPPING, source, logger, metrics });
      expect(after.drifts).toEqual([]);
      const { rows: closed } = await db.sql.query(`SELECT count(*)::int AS n FROM "TaxInfoDrift"`);
      expect(closed[0].n).toBe(0);
    } finally {
      await source.close();
    }
  });

  it("reports mapped columns the commerce table lacks", async () => {
    const source = createCommerceMerchantSource({
      databaseUrl: commerce.url,
      table: "public.Merchant",
      mapping: DEFAULT_COLUMN_MAPPING,
    });
    try {
      expect(await source.missingColumns()).toEqual(
        expect.arrayContaining(["id", "tax_code", "legal_name", "vat_method"]),
      );
    } finally {
      await source.close();
    }
  });
});
