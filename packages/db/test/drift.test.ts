import { readFile } from "node:fs/promises";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawSqlAllowlist } from "../src/drift/raw-sql-allowlist.ts";
import { checkSchemaDrift, migrate } from "../src/index.ts";
import { schemaPath } from "../src/paths.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

// The guard DESIGN.md asks for: schema.prisma and the migrations must describe the same database.
// `prisma migrate diff` cannot run here (no native schema engine), so the check compares Prisma's own
// parse of schema.prisma (DMMF) with the introspected result of applying the migrations.
let db: TempDatabase;
let client: pg.Client;
let schemaText: string;

beforeAll(async () => {
  db = await createTempDatabase("db_drift");
  await migrate({ databaseUrl: db.url, seed: false });
  client = await connect(db.url);
  schemaText = await readFile(schemaPath, "utf8");
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const drift = (text: string, allowlist = rawSqlAllowlist) =>
  checkSchemaDrift({ schemaText: text, client, schema: "invoice", allowlist });

/** Applies a textual edit and fails the test if the edit did not match (a no-op mutation proves nothing). */
function mutate(text: string, pattern: RegExp, replacement: string): string {
  expect(text).toMatch(pattern);
  return text.replace(pattern, replacement);
}

describe("schema.prisma vs migrations", () => {
  it("agree", async () => {
    expect(await drift(schemaText)).toEqual([]);
  });

  it("detects a changed column type, a new column and a new enum value", async () => {
    let text = mutate(schemaText, /(\n {2}orderId\s+String\s+)@db\.VarChar\(64\)/, "$1@db.VarChar(80)");
    text = mutate(text, /(\n {2}failureReason\s+String\?)/, "$1\n  note String?");
    text = mutate(text, /(enum ClaimStatus \{\n {2}OPEN)/, "$1\n  REOPENED");
    const problems = await drift(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        "column Invoice.orderId: type character varying(64), schema.prisma says character varying(80)",
        "column Invoice.note: missing in the migrations",
        expect.stringMatching(/^enum ClaimStatus: values/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("detects nullability, default, index and referential-action changes", async () => {
    let text = mutate(schemaText, /(\n {2}buyerName\s+String)\?/, "$1");
    text = mutate(text, /@default\("VND"\)/, '@default("USD")');
    text = mutate(text, /\n {2}@@index\(\[status, updatedAt\]\)/, "");
    text = mutate(
      text,
      /(invoice Invoice @relation\(fields: \[invoiceId\], references: \[id\]), onDelete: Cascade\)/,
      "$1)",
    );
    const problems = await drift(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        "column Invoice.buyerName: nullable, schema.prisma says NOT NULL",
        'column Invoice.currencyCode: default literal "VND", schema.prisma says literal "USD"',
        expect.stringMatching(
          /^index on Invoice\(status, updatedAt\) "Invoice_status_updatedAt_idx": created by the migrations/,
        ),
        expect.stringMatching(
          /^foreign key "InvoiceLine_invoiceId_fkey": migrations have .* ON DELETE CASCADE .* schema.prisma says .* ON DELETE RESTRICT/,
        ),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("detects a model with no migration", async () => {
    const problems = await drift(`${schemaText}\nmodel Orphan {\n  id BigInt @id\n}\n`);
    expect(problems).toEqual([
      "table Orphan: missing in the migrations",
      'primary key on Orphan(id) "Orphan_pkey": missing in the migrations',
    ]);
  });

  it("accepts raw-SQL objects only through the explicit allowlist", async () => {
    const problems = await drift(schemaText, { partialIndexes: [], checks: [] });
    expect(
      problems.some((p) => p.includes('"Invoice_merchantId_orderId_active_key": created by the migrations')),
    ).toBe(true);
    expect(
      problems.some((p) =>
        p.startsWith('check "Invoice_amounts_check" on Invoice: not in the raw-SQL allowlist'),
      ),
    ).toBe(true);
    expect(problems).toHaveLength(rawSqlAllowlist.partialIndexes.length + rawSqlAllowlist.checks.length);

    const withPhantom = {
      ...rawSqlAllowlist,
      checks: [...rawSqlAllowlist.checks, { name: "Invoice_phantom_check", table: "Invoice" }],
    };
    expect(await drift(schemaText, withPhantom)).toEqual([
      'check "Invoice_phantom_check" on Invoice: in the allowlist but not created by the migrations',
    ]);
  });
});
