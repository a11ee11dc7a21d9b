import { describe, expect, it } from "vitest";
import { compareSchemas } from "./compare.ts";
import type { DbSchema } from "./db-schema.ts";
import type { RawSqlAllowlist } from "./raw-sql-allowlist.ts";

const base = (): DbSchema => ({
  enums: [{ name: "Status", values: ["OPEN", "DONE"] }],
  tables: [
    {
      name: "Claim",
      columns: [
        { name: "id", type: "bigint", nullable: false, default: null },
        { name: "token", type: "uuid", nullable: false, default: null },
        { name: "status", type: "Status", nullable: false, default: { kind: "literal", value: "OPEN" } },
      ],
    },
  ],
  indexes: [
    { name: "Claim_pkey", table: "Claim", columns: ["id"], unique: true, primary: true, predicate: null },
  ],
  foreignKeys: [],
  checks: [],
});

const none: RawSqlAllowlist = { partialIndexes: [], checks: [] };
const partial = {
  name: "Claim_token_open_key",
  table: "Claim",
  columns: ["token"],
  unique: true,
  primary: false,
  predicate: `(status = 'OPEN'::"Status")`,
};
const allowPartial: RawSqlAllowlist = {
  partialIndexes: [
    { name: partial.name, table: "Claim", columns: ["token"], unique: true, predicateMentions: ["status"] },
  ],
  checks: [{ name: "Claim_id_check", table: "Claim" }],
};

describe("compareSchemas", () => {
  it("finds nothing when both sides agree", () => {
    expect(compareSchemas(base(), base(), none)).toEqual([]);
  });

  it("reports each kind of column difference", () => {
    const actual = base();
    const claim = actual.tables[0];
    if (!claim) throw new Error("fixture");
    claim.columns = [
      { name: "id", type: "integer", nullable: false, default: null },
      { name: "token", type: "uuid", nullable: true, default: null },
      { name: "status", type: "Status", nullable: false, default: null },
      { name: "extra", type: "text", nullable: true, default: null },
    ];
    expect(compareSchemas(base(), actual, none)).toEqual([
      "column Claim.id: type integer, schema.prisma says bigint",
      "column Claim.token: nullable, schema.prisma says NOT NULL",
      'column Claim.status: default none, schema.prisma says literal "OPEN"',
      "column Claim.extra: created by the migrations, not in schema.prisma",
    ]);
  });

  it("reports enum values, missing tables and a predicate on a Prisma index", () => {
    const expected = base();
    expected.tables.push({ name: "Other", columns: [] });
    const actual = base();
    actual.enums = [{ name: "Status", values: ["OPEN"] }];
    actual.indexes = [{ ...(actual.indexes[0] as DbSchema["indexes"][number]), predicate: "(id > 0)" }];
    expect(compareSchemas(expected, actual, none)).toEqual([
      "enum Status: values [OPEN], schema.prisma has [OPEN, DONE]",
      "table Other: missing in the migrations",
      '"Claim_pkey": migrations have primary key on Claim(id) WHERE (id > 0), schema.prisma says primary key on Claim(id)',
    ]);
  });

  it("accepts raw-SQL objects only when allowlisted, and requires allowlisted ones to exist", () => {
    const actual = base();
    actual.indexes.push(partial);
    actual.checks.push({ name: "Claim_id_check", table: "Claim", definition: "CHECK (id > 0)" });
    expect(compareSchemas(base(), actual, allowPartial)).toEqual([]);
    expect(compareSchemas(base(), actual, none)).toEqual([
      `unique index on Claim(token) WHERE (status = 'OPEN'::"Status") "Claim_token_open_key": created by the migrations, not in schema.prisma nor in the raw-SQL allowlist`,
      'check "Claim_id_check" on Claim: not in the raw-SQL allowlist (CHECK (id > 0))',
    ]);
    expect(compareSchemas(base(), base(), allowPartial)).toEqual([
      'raw-SQL index "Claim_token_open_key" on Claim: in the allowlist but not created by the migrations',
      'check "Claim_id_check" on Claim: in the allowlist but not created by the migrations',
    ]);
  });

  it("notices an allowlisted index that changed shape", () => {
    const actual = base();
    actual.indexes.push({ ...partial, unique: false });
    actual.checks.push({ name: "Claim_id_check", table: "Claim", definition: "CHECK (id > 0)" });
    expect(compareSchemas(base(), actual, allowPartial)).toEqual([
      `"Claim_token_open_key": migrations have index on Claim(token) WHERE (status = 'OPEN'::"Status"), which does not match its raw-SQL allowlist entry`,
    ]);
  });

  it("compares foreign keys including their referential actions", () => {
    const fk = {
      name: "Claim_x_fkey",
      table: "Claim",
      columns: ["id"],
      referencedTable: "Claim",
      referencedColumns: ["id"],
      onDelete: "RESTRICT" as const,
      onUpdate: "CASCADE" as const,
    };
    const expected = { ...base(), foreignKeys: [fk] };
    const actual = { ...base(), foreignKeys: [{ ...fk, onDelete: "CASCADE" as const }] };
    expect(compareSchemas(expected, actual, none)).toEqual([
      'foreign key "Claim_x_fkey": migrations have Claim(id) -> Claim(id) ON DELETE CASCADE ON UPDATE CASCADE, schema.prisma says Claim(id) -> Claim(id) ON DELETE RESTRICT ON UPDATE CASCADE',
    ]);
  });
});
