import { type AppliedMigration, applyMigration } from "./apply-migration.ts";
import { type DbLogger, openSession, silentLogger, useSchema, withMigrateLock } from "./connection.ts";
import { MigrationError } from "./migration-error.ts";
import { type MigrationFile, readMigrations, scriptMatchesChecksum } from "./migrations-dir.ts";
import { ensureMigrationsTable, listMigrationRows, type MigrationRow } from "./migrations-table.ts";
import { migrationsDir as defaultMigrationsDir } from "./paths.ts";
import { runSeed, type SeedSummary } from "./seed/seed.ts";

export interface MigrateOptions {
  /** postgresql:// URL; `?schema=` picks the PostgreSQL schema (default "invoice"). */
  databaseUrl: string;
  /** Prisma migrations folder; default: the repository's prisma/migrations. */
  migrationsDir?: string;
  logger?: DbLogger;
  /** Run the seed after the migrations (default true): `migrate` is the run mode that does both. */
  seed?: boolean;
  /** Create the database when it does not exist (default false; the CLI turns it on). */
  createDatabase?: boolean;
  /** How long to wait for a concurrent migration run's advisory lock (default 60 s). */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  schema: string;
  /** Migrations this run applied, in order; empty when the database was up to date. */
  applied: AppliedMigration[];
  alreadyApplied: string[];
  seed: SeedSummary | null;
}

/** Prisma's P3009: a started-but-unfinished migration blocks everything until someone resolves it. */
function refuseFailedMigrations(rows: MigrationRow[]): void {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length === 0) return;
  const details = failed
    .map(
      (row) =>
        `- ${row.migration_name} (started ${row.started_at.toISOString()})${row.logs ? `: ${row.logs.trim()}` : ""}`,
    )
    .join("\n");
  throw new MigrationError(
    `Found failed migrations in the target database; new migrations will not be applied.\n${details}\n` +
      "Such a migration ran outside a single transaction (its own BEGIN/COMMIT, CREATE INDEX CONCURRENTLY, or prisma migrate deploy), so it may be partly applied: " +
      "inspect and repair the schema, then mark it rolled back (prisma migrate resolve --rolled-back <name>, or UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '<id>') " +
      "or applied (prisma migrate resolve --applied <name>) and run migrate again.",
    { code: "MIGRATION_FAILED_PREVIOUSLY" },
  );
}

/**
 * Splits the folder's migrations into applied and pending. An applied migration whose file changed is
 * refused (stricter than `prisma migrate deploy`, which only `migrate dev` would catch): the database
 * was built from other SQL than the repository now holds.
 */
function planMigrations(files: MigrationFile[], rows: MigrationRow[], logger: DbLogger) {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const mismatched: string[] = [];
  const pending: MigrationFile[] = [];
  const alreadyApplied: string[] = [];
  for (const file of files) {
    const row = live.find((r) => r.migration_name === file.name);
    if (!row) pending.push(file);
    else if (!scriptMatchesChecksum(file.script, row.checksum))
      mismatched.push(`- ${file.name}: database ${row.checksum}, file ${file.checksum}`);
    else alreadyApplied.push(file.name);
  }
  if (mismatched.length > 0) {
    throw new MigrationError(
      `Applied migrations were modified after they were applied (sha256 of migration.sql differs):\n${mismatched.join("\n")}\n` +
        "Never edit an applied migration: restore the file and add a new migration for the change.",
      { code: "MIGRATION_CHECKSUM_MISMATCH" },
    );
  }
  const known = new Set(files.map((f) => f.name));
  const unknown = live.filter((row) => !known.has(row.migration_name)).map((row) => row.migration_name);
  if (unknown.length > 0)
    logger.warn({ migrations: unknown }, "database has migrations the migrations folder does not");
  return { pending, alreadyApplied };
}

/**
 * Applies pending migrations of a Prisma migrations folder without Prisma's schema engine, with the
 * same `_prisma_migrations` bookkeeping and advisory lock as `prisma migrate deploy` (so either tool
 * can take over), each migration in one transaction with its bookkeeping where the script allows it
 * (apply-migration.ts); then seeds reference data. Idempotent.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const logger = options.logger ?? silentLogger;
  const files = await readMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const { client, schema } = await openSession(options.databaseUrl, {
    createDatabase: options.createDatabase ?? false,
    logger,
  });
  try {
    return await withMigrateLock(client, options.lockTimeoutMs ?? 60_000, async () => {
      await useSchema(client, schema);
      await ensureMigrationsTable(client, schema);
      const rows = await listMigrationRows(client);
      refuseFailedMigrations(rows);
      const { pending, alreadyApplied } = planMigrations(files, rows, logger);
      const applied: AppliedMigration[] = [];
      for (const file of pending) applied.push(await applyMigration(client, file, logger));
      logger.info(
        { schema, applied: applied.length, alreadyApplied: alreadyApplied.length },
        "migrations up to date",
      );
      const seed = options.seed === false ? null : await runSeed(client, { logger });
      return { schema, applied, alreadyApplied, seed };
    });
  } finally {
    await client.end();
  }
}
