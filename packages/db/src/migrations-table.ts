import { randomUUID } from "node:crypto";
import type pg from "pg";
import { MigrationError } from "./migration-error.ts";

/** Prisma's DDL for its bookkeeping table (schema-engine, flavour/postgres.rs), verbatim. */
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/**
 * Creates `_prisma_migrations` in the current schema when missing. Like Prisma (P3005), refuses a
 * schema that already holds tables but no migration history: it needs baselining, not migrations.
 */
export async function ensureMigrationsTable(client: pg.ClientBase, schema: string): Promise<void> {
  const existing = await client.query<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  const names = existing.rows.map((r) => r.name);
  if (names.includes("_prisma_migrations")) return;
  if (names.length > 0) {
    throw new MigrationError(
      `Schema "${schema}" has tables (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}) but no _prisma_migrations: baseline it (prisma migrate resolve --applied <migration>) or use an empty schema`,
      { code: "MIGRATION_SCHEMA_NOT_EMPTY" },
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE);
}

export async function listMigrationRows(client: pg.ClientBase): Promise<MigrationRow[]> {
  const result = await client.query<MigrationRow>(
    "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name",
  );
  return result.rows;
}

/** Same row Prisma writes before running a script: unfinished until the script succeeds. */
export async function recordMigrationStarted(
  client: pg.ClientBase,
  name: string,
  checksum: string,
): Promise<string> {
  const id = randomUUID();
  await client.query(
    "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)",
    [id, checksum, name],
  );
  return id;
}

/** Prisma counts a SQL migration as one step: applied_steps_count 1, finished_at set. */
export async function recordMigrationFinished(client: pg.ClientBase, id: string): Promise<void> {
  await client.query(
    "UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1",
    [id],
  );
}

export async function recordMigrationFailed(client: pg.ClientBase, id: string, logs: string): Promise<void> {
  await client.query("UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", [id, logs]);
}

/**
 * A failed attempt that left no changes (it ran in one transaction, which was rolled back), recorded
 * the way `prisma migrate resolve --rolled-back` leaves it: `rolled_back_at` set, so neither tool
 * treats it as blocking and the next run tries the migration again. `logs` keeps the error.
 */
export async function recordRolledBackAttempt(
  client: pg.ClientBase,
  name: string,
  checksum: string,
  logs: string,
): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs, rolled_back_at)
     VALUES ($1, $2, now(), $3, $4, now())`,
    [randomUUID(), checksum, name, logs],
  );
}
