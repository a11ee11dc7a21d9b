import { classifyDatabaseError } from "@invoice/errors";
import pg from "pg";
import { type ColumnMapping, mappedColumns } from "../tax/column-mapping.ts";

export type CommerceRow = Record<string, unknown>;

/**
 * Direct reads of commerce's Merchant table (a read-only role on a replica is enough), for the drift
 * check against the source and for re-syncing one merchant.
 *
 * Failure semantics: rejects with the classified database error (retriable when commerce's database
 * is unreachable); nothing here writes.
 */
export interface CommerceMerchantSource {
  /** Mapped columns the table does not have (empty when the mapping fits the table). */
  missingColumns(): Promise<string[]>;
  /** Rows by merchant id. */
  readMany(merchantIds: readonly string[]): Promise<Map<string, CommerceRow>>;
  /**
   * One merchant's row with the WAL position it is current at (pg_current_wal_lsn, or the replay
   * position on a replica), read in one snapshot: the LSN a re-sync writes as TaxInfo.sourceLsn.
   */
  readOne(merchantId: string): Promise<{ row: CommerceRow | undefined; lsn: bigint }>;
  /** Merchant ids in id order after `after` (keyset paging), for finding merchants TaxInfo lacks. */
  listIds(after: string | undefined, limit: number): Promise<string[]>;
  close(): Promise<void>;
}

function qualified(table: string): { sql: string; schema: string; name: string } {
  const [schema, name] = table.includes(".") ? (table.split(".", 2) as [string, string]) : ["public", table];
  return { sql: `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`, schema, name };
}

export function createCommerceMerchantSource(options: {
  databaseUrl: string;
  /** Optionally schema-qualified: public.Merchant. */
  table: string;
  mapping: ColumnMapping;
  maxConnections?: number;
}): CommerceMerchantSource {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 2,
    connectionTimeoutMillis: 5_000,
    application_name: "cdc-sync",
  });
  // An idle client's error (commerce restarted) must not crash the service; the next query reconnects.
  pool.on("error", () => undefined);
  const table = qualified(options.table);
  const idColumn = pg.escapeIdentifier(options.mapping.merchantId);

  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  };

  return {
    async missingColumns() {
      const { rows } = await query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        [table.schema, table.name],
      );
      const present = new Set(rows.map((r) => r.column_name));
      return mappedColumns(options.mapping).filter((c) => !present.has(c));
    },
    async readMany(merchantIds) {
      if (merchantIds.length === 0) return new Map();
      const { rows } = await query<CommerceRow>(
        `SELECT * FROM ${table.sql} WHERE ${idColumn}::text = ANY($1::text[])`,
        [merchantIds],
      );
      return new Map(rows.map((r) => [String(r[options.mapping.merchantId]), r]));
    },
    async readOne(merchantId) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw classifyDatabaseError(error);
      }
      try {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const position = await client.query<{ lsn: string }>(
          `SELECT ((CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)
                   - '0/0'::pg_lsn)::text AS lsn`,
        );
        const { rows } = await client.query<CommerceRow>(
          `SELECT * FROM ${table.sql} WHERE ${idColumn}::text = $1`,
          [merchantId],
        );
        await client.query("COMMIT");
        return { row: rows[0], lsn: BigInt(position.rows[0]?.lsn ?? "0") };
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw classifyDatabaseError(error);
      } finally {
        client.release();
      }
    },
    async listIds(after, limit) {
      const { rows } = await query<{ id: string }>(
        `SELECT ${idColumn}::text AS id FROM ${table.sql} WHERE $1::text IS NULL OR ${idColumn}::text > $1
         ORDER BY ${idColumn}::text LIMIT $2`,
        [after ?? null, limit],
      );
      return rows.map((r) => r.id);
    },
    close: () => pool.end(),
  };
}

/** The source configured by CDC_COMMERCE_DATABASE_URL / CDC_COMMERCE_MERCHANT_TABLE, if any. */
export function commerceSourceFromConfig(
  cdc: { commerceDatabaseUrl?: string; commerceMerchantTable: string },
  mapping: ColumnMapping,
): CommerceMerchantSource | undefined {
  if (!cdc.commerceDatabaseUrl) return undefined;
  return createCommerceMerchantSource({
    databaseUrl: cdc.commerceDatabaseUrl,
    table: cdc.commerceMerchantTable,
    mapping,
  });
}
