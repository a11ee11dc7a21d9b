import type pg from "pg";

export interface UpsertColumn {
  name: string;
  /** Type of the JSON field in jsonb_to_recordset, then cast to the column's type when `cast` is set. */
  jsonType: "text" | "integer" | "boolean" | "jsonb";
  cast?: string;
}

export interface UpsertSpec {
  table: string;
  key: string[];
  columns: UpsertColumn[];
  /** "update": reference data owned by code, rewritten when it differs; "nothing": defaults operators may change. */
  onConflict: "update" | "nothing";
  /** The table has Prisma's createdAt/updatedAt columns to fill. */
  timestamps: { createdAt: boolean; updatedAt: boolean };
}

export interface UpsertCount {
  inserted: number;
  updated: number;
}

const q = (name: string) => `"${name}"`;

/**
 * One statement for the whole data set (rows travel as one jsonb parameter), so seeding thousands of
 * rows is one round trip. Rows whose values did not change are not touched at all (no new row version,
 * updatedAt kept): running the seed again changes nothing.
 */
export async function upsertRows(
  client: pg.ClientBase,
  spec: UpsertSpec,
  rows: object[],
): Promise<UpsertCount> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const columns = spec.columns.map((c) => q(c.name));
  const selects = spec.columns.map((c) => (c.cast ? `x.${q(c.name)}::${c.cast}` : `x.${q(c.name)}`));
  if (spec.timestamps.createdAt) {
    columns.push(q("createdAt"));
    selects.push("now()");
  }
  if (spec.timestamps.updatedAt) {
    columns.push(q("updatedAt"));
    selects.push("now()");
  }
  const recordType = spec.columns.map((c) => `${q(c.name)} ${c.jsonType}`).join(", ");
  const nonKey = spec.columns.filter((c) => !spec.key.includes(c.name)).map((c) => q(c.name));
  let conflict = `ON CONFLICT (${spec.key.map(q).join(", ")}) DO NOTHING`;
  if (spec.onConflict === "update" && nonKey.length > 0) {
    const sets = nonKey.map((c) => `${c} = EXCLUDED.${c}`);
    if (spec.timestamps.updatedAt) sets.push(`${q("updatedAt")} = now()`);
    const current = nonKey.map((c) => `${q(spec.table)}.${c}`).join(", ");
    const incoming = nonKey.map((c) => `EXCLUDED.${c}`).join(", ");
    conflict = `ON CONFLICT (${spec.key.map(q).join(", ")}) DO UPDATE SET ${sets.join(", ")} WHERE (${current}) IS DISTINCT FROM (${incoming})`;
  }
  const sql = `INSERT INTO ${q(spec.table)} (${columns.join(", ")})
    SELECT ${selects.join(", ")} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType})
    ${conflict}
    RETURNING (xmax = 0) AS inserted`;
  const result = await client.query<{ inserted: boolean }>(sql, [JSON.stringify(rows)]);
  const inserted = result.rows.filter((r) => r.inserted).length;
  return { inserted, updated: result.rows.length - inserted };
}
