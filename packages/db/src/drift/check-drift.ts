import type pg from "pg";
import { compareSchemas } from "./compare.ts";
import { loadDmmf } from "./dmmf.ts";
import { expectedSchema } from "./expected-schema.ts";
import { introspectSchema } from "./introspect.ts";
import { type RawSqlAllowlist, rawSqlAllowlist } from "./raw-sql-allowlist.ts";

export interface CheckSchemaDriftOptions {
  /** Text of a Prisma schema (normally prisma/schema.prisma). */
  schemaText: string;
  /** A connection to a database the migrations were applied to. */
  client: pg.ClientBase;
  /** PostgreSQL schema holding the tables. */
  schema: string;
  allowlist?: RawSqlAllowlist;
}

/**
 * Replaces `prisma migrate diff --from-migrations --to-schema`, which needs the native schema engine:
 * compares Prisma's own parse of the schema (DMMF) with the introspected result of the migrations.
 * Returns one line per difference; an empty list means schema.prisma and the migrations agree.
 */
export async function checkSchemaDrift(options: CheckSchemaDriftOptions): Promise<string[]> {
  const dmmf = await loadDmmf(options.schemaText);
  const actual = await introspectSchema(options.client, options.schema);
  return compareSchemas(expectedSchema(dmmf), actual, options.allowlist ?? rawSqlAllowlist);
}
