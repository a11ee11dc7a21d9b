/**
 * End to end against real Debezium (stack/cdc.sh): rows change in the commerce stand-in database,
 * Debezium 3.6.1 captures them through pgoutput, Kafka Connect writes them with each converter we
 * support, and cdc-sync's handler converges TaxInfo and metadata.tax.
 */
import { stackEnv, uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CommerceDatabase,
  type ConnectorFormat,
  createCommerceDatabase,
  ensureCdcStack,
  merchantRow,
  type RunningConnector,
  startConnector,
} from "../src/testing/index.ts";
import {
  type CdcSync,
  createInvoiceDatabase,
  createProfile,
  type InvoiceDatabase,
  metadata,
  readTopic,
  startCdcSync,
  taxInfo,
} from "./fixtures.ts";

const COLUMNS = Object.keys(merchantRow("x")).filter((c) => c !== "updated_at");

async function insertMerchant(
  commerce: CommerceDatabase,
  id: string,
  overrides: Record<string, unknown> = {},
) {
  const row = merchantRow(id, overrides);
  const values = COLUMNS.map((c) => row[c]);
  await commerce.client.query(
    `INSERT INTO "Merchant" (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((_c, i) => `$${i + 1}`).join(", ")})`,
    values,
  );
}

const WAIT = { timeoutMs: 45_000, intervalMs: 50 };

describe.each<ConnectorFormat>(["json", "json-schemas", "avro"])(
  "Debezium with the %s converter",
  (format) => {
    let commerce: CommerceDatabase;
    let db: InvoiceDatabase;
    let connector: RunningConnector;
    let cdc: CdcSync;

    beforeAll(async () => {
      await ensureCdcStack();
      [commerce, db] = await Promise.all([
        createCommerceDatabase(`commerce_${format}`),
        createInvoiceDatabase("cdc_it"),
      ]);
      // Two merchants exist before the connector starts: they arrive as snapshot reads (op=r).
      await insertMerchant(commerce, "m1");
      await insertMerchant(commerce, "m2");
      await createProfile(db, "m1");
      await createProfile(db, "m2");
      const prefix = uniqueName(`cdc_${format}`);
      connector = await startConnector({
        name: prefix,
        database: commerce,
        prefix,
        format,
        schemaRegistryUrl: stackEnv().schemaRegistryUrl,
      });
      cdc = await startCdcSync({ db, topic: connector.topic });
    });

    afterAll(async () => {
      await cdc?.stop();
      await connector?.remove();
      await cdc?.admin.connect();
      await cdc?.admin.deleteTopics([connector.topic, cdc.dlqTopic]).catch(() => undefined);
      await cdc?.admin.disconnect();
      await Promise.all([commerce?.drop(), db?.drop()]);
    });

    it("takes the snapshot, then applies a tax change and skips a non-tax change", async () => {
      await waitFor(async () => !!(await taxInfo(db, "m1")) && !!(await taxInfo(db, "m2")), {
        ...WAIT,
        description: "snapshot in TaxInfo",
      });
      expect(await cdc.count("r", "applied")).toBe(2);
      const snapshot = await taxInfo(db, "m1");
      expect(snapshot).toMatchObject({
        taxCode: "0100109106",
        taxCodeValid: true,
        legalName: "Công ty TNHH m1",
      });
      expect((await metadata(db, "m1")).tax).toMatchObject({
        legalName: "Công ty TNHH m1",
        taxCodeValid: true,
      });
      expect((await metadata(db, "m1")).theme).toBe("dark"); // the rest of metadata is kept

      const committedAt = Date.now();
      await commerce.client.query(`UPDATE "Merchant" SET legal_name = 'Công ty CP Mới' WHERE id = 'm1'`);
      const changed = await waitFor(async () => {
        const row = await taxInfo(db, "m1");
        return row?.legalName === "Công ty CP Mới" ? row : undefined;
      }, WAIT);
      // The figure docs/performance.md quotes (commit at commerce -> TaxInfo row visible here).
      console.warn(`[cdc ${format}] commit -> TaxInfo: ${Date.now() - committedAt} ms`);
      expect(BigInt(changed.sourceLsn)).toBeGreaterThan(BigInt(snapshot?.sourceLsn ?? "0"));
      expect((await metadata(db, "m1")).tax).toMatchObject({
        legalName: "Công ty CP Mới",
        sourceLsn: changed.sourceLsn,
      });
      const { rows: audit } = await db.sql.query(
        `SELECT "operation", "changedFields", "before"->>'legalName' AS before, "after"->>'legalName' AS after
       FROM "TaxInfoAudit" WHERE "merchantId" = 'm1' ORDER BY "createdAt", "id"`,
      );
      expect(audit.at(-1)).toEqual({
        operation: "u",
        changedFields: ["legalName"],
        before: "Công ty TNHH m1",
        after: "Công ty CP Mới",
      });

      await commerce.client.query(
        `UPDATE "Merchant" SET shop_url = 'https://new.example.vn', updated_at = now() WHERE id = 'm1'`,
      );
      await waitFor(
        () =>
          cdc.lines.some(
            (l) => l.msg === "[handleMerchantCDC] op=u tax unchanged, SKIP" && l.merchantId === "m1",
          ),
        {
          ...WAIT,
          description: "the unchanged-tax SKIP line",
        },
      );
      expect((await taxInfo(db, "m1"))?.updatedAt).toEqual(changed.updatedAt);
      const { rows: audits } = await db.sql.query(
        `SELECT count(*)::int AS n FROM "TaxInfoAudit" WHERE "merchantId" = 'm1'`,
      );
      expect(audits[0].n).toBe(audit.length);
    });

    it("stores an invalid tax code as it is, flagged, and shows the flag in metadata.tax", async () => {
      await commerce.client.query(`UPDATE "Merchant" SET tax_code = '0100109107' WHERE id = 'm2'`);
      const row = await waitFor(async () => {
        const r = await taxInfo(db, "m2");
        return r?.taxCode === "0100109107" ? r : undefined;
      }, WAIT);
      expect(row).toMatchObject({ taxCodeValid: false, taxCodeIssue: "INVALID_CHECK_DIGIT" });
      expect((await metadata(db, "m2")).tax).toMatchObject({ taxCode: "0100109107", taxCodeValid: false });
      const invalid = await cdc.registry.getSingleMetric("invoice_cdc_invalid_tax_codes_total")?.get();
      expect(invalid?.values.find((v) => v.labels.issue === "INVALID_CHECK_DIGIT")?.value).toBe(1);
    });

    it("soft-deletes on delete (tombstone included), re-creates, and follows a primary-key change", async () => {
      await commerce.client.query(`DELETE FROM "Merchant" WHERE id = 'm2'`);
      await waitFor(async () => !!(await taxInfo(db, "m2"))?.deletedAt, {
        ...WAIT,
        description: "m2 deleted",
      });
      expect((await metadata(db, "m2")).tax).toBeNull();
      await waitFor(async () => (await cdc.count("tombstone", "tombstone")) >= 1, {
        ...WAIT,
        description: "tombstone",
      });

      await insertMerchant(commerce, "m2", { legal_name: "Công ty m2 mở lại", tax_code: "0312345678" });
      const back = await waitFor(async () => {
        const r = await taxInfo(db, "m2");
        return r && r.deletedAt === null ? r : undefined;
      }, WAIT);
      expect(back).toMatchObject({ legalName: "Công ty m2 mở lại", taxCode: "0312345678" });

      // Debezium emits a primary-key change as a delete of the old key and a create of the new one.
      await commerce.client.query(`UPDATE "Merchant" SET id = 'm3' WHERE id = 'm1'`);
      await waitFor(async () => !!(await taxInfo(db, "m3")) && !!(await taxInfo(db, "m1"))?.deletedAt, {
        ...WAIT,
        description: "m1 -> m3",
      });
      expect(await taxInfo(db, "m3")).toMatchObject({ legalName: "Công ty CP Mới", deletedAt: null });
    });

    it("ignores a stale event replayed by hand, and dead-letters a malformed one without stopping", async () => {
      // The snapshot read of m2 (its first record) sent again: older than m2's re-creation.
      const isM2 = (r: { key: Buffer | null; value: Buffer | null }) =>
        r.value !== null && !!r.key?.includes("m2");
      const records = await readTopic(cdc.kafka, connector.topic, (rs) => rs.some(isM2));
      const first = records.find(isM2);
      expect(first).toBeDefined();
      const before = await taxInfo(db, "m2");
      const staleBefore = await cdc.count("r", "stale");
      const producer = cdc.kafka.producer();
      await producer.connect();
      await producer.send(connector.topic, [
        { key: first?.key ?? null, value: first?.value ?? null, partition: first?.partition },
        { key: "m9", value: "{not json" },
      ]);
      await producer.disconnect();
      await waitFor(async () => (await cdc.count("r", "stale")) === staleBefore + 1, {
        ...WAIT,
        description: "stale counted",
      });
      expect(await taxInfo(db, "m2")).toEqual(before);
      expect(
        cdc.lines.some(
          (l) => l.msg === "[handleMerchantCDC] op=r stale event, SKIP" && l.merchantId === "m2",
        ),
      ).toBe(true);

      const dlq = await readTopic(cdc.kafka, cdc.dlqTopic, (rs) => rs.length >= 1);
      expect(dlq[0]?.value?.toString()).toBe("{not json");
      expect(dlq[0]?.headers).toMatchObject({
        "dlq.reason": "deserialization",
        "dlq.error.code": "ENVELOPE_NOT_JSON",
        "dlq.original.topic": connector.topic,
      });
      // The consumer keeps going.
      await commerce.client.query(`UPDATE "Merchant" SET address = '9 Nguyễn Huệ, TP.HCM' WHERE id = 'm3'`);
      await waitFor(async () => (await taxInfo(db, "m3"))?.address === "9 Nguyễn Huệ, TP.HCM", WAIT);
    });
  },
);
