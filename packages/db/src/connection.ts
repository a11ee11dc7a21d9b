import pg from "pg";
import { parseDatabaseUrl, quoteIdentifier, withDatabase } from "./database-url.ts";
import { MigrationError } from "./migration-error.ts";

/** The advisory lock `prisma migrate deploy` takes, so our applier and Prisma's exclude each other. */
export const PRISMA_MIGRATE_LOCK_ID = 72707369;

/** pino-compatible: `logger.info({ fields }, "constant message")`. */
export interface DbLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: DbLogger = { info: () => {}, warn: () => {} };

const INVALID_CATALOG_NAME = "3D000";
const DUPLICATE_DATABASE = "42P04";
const LOCK_NOT_AVAILABLE = "55P03";

const pgCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;

/**
 * Opens one session for a migrate/seed run. With `createDatabase`, a missing database is created
 * first (from the `postgres` maintenance database), which is what a fresh local stack needs.
 */
export async function openSession(
  databaseUrl: string,
  { createDatabase = false, logger = silentLogger }: { createDatabase?: boolean; logger?: DbLogger } = {},
): Promise<{ client: pg.Client; schema: string }> {
  const { connectionString, schema, database } = parseDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString, application_name: "invoice-migrate" });
  // A connection that drops between queries makes pg emit "error": without a listener that would
  // crash the process instead of failing the next query (which the applier reports and classifies).
  client.on("error", (error) => logger.warn({ err: error }, "migrate connection lost"));
  try {
    await client.connect();
  } catch (error) {
    if (!createDatabase || pgCode(error) !== INVALID_CATALOG_NAME) throw error;
    const admin = new pg.Client({ connectionString: withDatabase(connectionString, "postgres") });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
      logger.info({ database }, "database created");
    } catch (createError) {
      // Another migrate run created it in the meantime: fine.
      if (pgCode(createError) !== DUPLICATE_DATABASE) throw createError;
    } finally {
      await admin.end();
    }
    return openSession(databaseUrl, { createDatabase: false, logger });
  }
  return { client, schema };
}

/**
 * Runs `work` while holding Prisma Migrate's session advisory lock. Waits at most `timeoutMs` for a
 * concurrent run (another pod's migrate, `prisma migrate deploy`) and then fails instead of hanging.
 */
export async function withMigrateLock<T>(
  client: pg.ClientBase,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_ID})`);
  } catch (error) {
    if (pgCode(error) !== LOCK_NOT_AVAILABLE) throw error;
    throw new MigrationError(
      `Another migration run holds the advisory lock ${PRISMA_MIGRATE_LOCK_ID} (pg_locks, locktype 'advisory') for more than ${timeoutMs} ms`,
      { code: "MIGRATION_LOCK_TIMEOUT", cause: error },
    );
  } finally {
    await client.query("RESET lock_timeout");
  }
  try {
    return await work();
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK_ID})`).catch(() => undefined);
  }
}

/** Creates the schema if needed and makes it the only one unqualified names resolve to. */
export async function useSchema(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  await client.query(`SET search_path TO ${quoteIdentifier(schema)}`);
}
