/**
 * Many rows into one table with one statement: the rows travel as one JSON parameter and PostgreSQL
 * turns them into records (`jsonb_to_recordset`), so a group of decisions costs one round trip and
 * one parameter per table instead of a statement per row (ADR 0019). BigInts travel as strings, dates
 * as ISO strings, JSON columns as JSON; a column a row leaves out is NULL.
 */
import type { Prisma } from "@invoice/db";

type Tx = Prisma.TransactionClient;

/** Column name → its PostgreSQL type (an enum by its quoted name, e.g. `"InvoiceStatus"`). */
export type ColumnTypes = Readonly<Record<string, string>>;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function toJson(rows: readonly object[]): string {
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

export async function bulkInsert(
  tx: Tx,
  table: string,
  columns: ColumnTypes,
  rows: readonly object[],
  options: { onConflictDoNothing?: boolean; now?: readonly string[] } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  // Enum columns are read as text, then cast (jsonb_to_recordset reads scalars through text).
  const record = names.map(
    (name) => `${quote(name)} ${columns[name]?.startsWith('"') ? "text" : columns[name]}`,
  );
  const select = names.map((name) =>
    columns[name]?.startsWith('"') ? `r.${quote(name)}::${columns[name]}` : `r.${quote(name)}`,
  );
  const stamped = options.now ?? [];
  const sql = `INSERT INTO ${quote(table)} (${[...names, ...stamped].map(quote).join(", ")})
SELECT ${[...select, ...stamped.map(() => "CURRENT_TIMESTAMP")].join(", ")}
  FROM jsonb_to_recordset($1::jsonb) AS r(${record.join(", ")})${options.onConflictDoNothing ? "\nON CONFLICT DO NOTHING" : ""}`;
  await tx.$executeRawUnsafe(sql, toJson(rows));
}
