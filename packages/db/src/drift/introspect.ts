import type pg from "pg";
import type { ColumnDefault, DbSchema, ReferentialAction, TableInfo } from "./db-schema.ts";

/** Bookkeeping of Prisma Migrate; not part of the data model. */
const MIGRATIONS_TABLE = "_prisma_migrations";

const ACTION_CODES: Record<string, ReferentialAction> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/**
 * Reads a default expression as pg_get_expr prints it into the same shape as Prisma's @default:
 * `'VND'::character varying` and `0` are literals, CURRENT_TIMESTAMP/now() is now(), nextval() is
 * autoincrement(); anything else stays an expression (dbgenerated).
 */
export function parseColumnDefault(expression: string | null): ColumnDefault | null {
  if (expression === null) return null;
  const sql = expression.trim();
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(sql)) return { kind: "now" };
  if (/^nextval\(/i.test(sql)) return { kind: "sequence" };
  if (/^ARRAY\[\]::[\w ."[\]]+$/.test(sql)) return { kind: "literal", value: "[]" };
  const quoted = /^'((?:[^']|'')*)'(?:::[\w ."()[\],]+)?$/.exec(sql);
  if (quoted) return { kind: "literal", value: (quoted[1] ?? "").replaceAll("''", "'") };
  const numeric = /^\(?(-?\d+(?:\.\d+)?)\)?(?:::[\w ]+)?$/.exec(sql);
  if (numeric) return { kind: "literal", value: numeric[1] ?? sql };
  if (sql === "true" || sql === "false") return { kind: "literal", value: sql };
  return { kind: "expression", sql };
}

/** The Prisma-relevant shape of one PostgreSQL schema, from pg_catalog. */
export async function introspectSchema(client: pg.ClientBase, schema: string): Promise<DbSchema> {
  const columns = await client.query<{
    table: string;
    name: string;
    type: string;
    enum_type: string | null;
    not_null: boolean;
    default: string | null;
  }>(
    `SELECT c.relname::text AS table, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN t.typtype = 'e' THEN t.typname::text
                 WHEN et.typtype = 'e' THEN et.typname::text || '[]' END AS enum_type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> $2
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema, MIGRATIONS_TABLE],
  );
  const tables = new Map<string, TableInfo>();
  for (const row of columns.rows) {
    const table = tables.get(row.table) ?? { name: row.table, columns: [] };
    tables.set(row.table, table);
    table.columns.push({
      name: row.name,
      type: row.enum_type ?? row.type,
      nullable: !row.not_null,
      default: parseColumnDefault(row.default),
    });
  }

  const indexes = await client.query<{
    name: string;
    table: string;
    columns: string[];
    options: number[];
    unique: boolean;
    primary: boolean;
    predicate: string | null;
  }>(
    `SELECT i.relname::text AS name, c.relname::text AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(ix.indexrelid, k.ord::int, true)
                              ELSE a.attname::text END
                    FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                   ORDER BY k.ord) AS columns,
            ix.indoption::int2[] AS options
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class c ON c.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname <> $2
      ORDER BY i.relname`,
    [schema, MIGRATIONS_TABLE],
  );

  const constraints = await client.query<{
    name: string;
    type: "f" | "c";
    table: string;
    columns: string[];
    referenced_table: string | null;
    referenced_columns: string[] | null;
    on_delete: string;
    on_update: string;
    definition: string;
  }>(
    `SELECT con.conname::text AS name, con.contype AS type, c.relname::text AS table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rc.relname::text AS referenced_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns,
            con.confdeltype AS on_delete, con.confupdtype AS on_update,
            pg_get_constraintdef(con.oid, true) AS definition
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
      WHERE n.nspname = $1 AND con.contype IN ('f', 'c')
      ORDER BY con.conname`,
    [schema],
  );

  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1
      GROUP BY t.typname
      ORDER BY t.typname`,
    [schema],
  );

  return {
    tables: [...tables.values()],
    indexes: indexes.rows.map((row) => ({
      name: row.name,
      table: row.table,
      // indoption bit 0 = DESC (pg_index.h INDOPTION_DESC).
      columns: row.columns.map((column, i) => `${column}${((row.options[i] ?? 0) & 1) === 1 ? " DESC" : ""}`),
      unique: row.unique,
      primary: row.primary,
      predicate: row.predicate,
    })),
    foreignKeys: constraints.rows
      .filter((row) => row.type === "f")
      .map((row) => ({
        name: row.name,
        table: row.table,
        columns: row.columns,
        referencedTable: row.referenced_table ?? "",
        referencedColumns: row.referenced_columns ?? [],
        onDelete: ACTION_CODES[row.on_delete] ?? "NO ACTION",
        onUpdate: ACTION_CODES[row.on_update] ?? "NO ACTION",
      })),
    checks: constraints.rows
      .filter((row) => row.type === "c")
      .map((row) => ({ name: row.name, table: row.table, definition: row.definition })),
    enums: enums.rows,
  };
}
