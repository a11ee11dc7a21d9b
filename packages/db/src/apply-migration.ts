import { classifyDatabaseError, isRetriable } from "@invoice/errors";
import type pg from "pg";
import type { DbLogger } from "./connection.ts";
import { MigrationError } from "./migration-error.ts";
import { scriptShape } from "./migration-script.ts";
import type { MigrationFile } from "./migrations-dir.ts";
import {
  recordMigrationFailed,
  recordMigrationFinished,
  recordMigrationStarted,
  recordRolledBackAttempt,
} from "./migrations-table.ts";

export interface AppliedMigration {
  name: string;
  checksum: string;
  durationMs: number;
}

/** SQLSTATEs of statements that refuse to run inside a transaction block. */
const ACTIVE_SQL_TRANSACTION = "25001"; // CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, ...
const INVALID_TRANSACTION_TERMINATION = "2D000"; // COMMIT inside a DO block or procedure

const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/**
 * Applies one migration the way `prisma migrate deploy` would, but atomically with its bookkeeping
 * whenever the script allows it:
 *
 * - A script without transaction control runs inside one transaction together with its
 *   `_prisma_migrations` row: it is applied and recorded, or neither. A failure (a lost connection
 *   included) leaves nothing behind but an attempt row marked rolled back, which blocks nothing.
 *   Prisma gets the same atomicity for the script (PostgreSQL runs a multi-statement script as one
 *   implicit transaction), just not for its bookkeeping.
 * - A single statement that PostgreSQL refuses inside a transaction (`CREATE INDEX CONCURRENTLY`,
 *   error 25001, or a COMMIT in a DO block, 2D000) is run again on its own, as Prisma runs every
 *   script: one simple-query message, no transaction of ours.
 * - A script that manages its own transactions (BEGIN/COMMIT...) is run that way from the start.
 *
 * When a script that ran outside our transaction fails, what it did before the failure may have
 * stayed: the error says so (`MIGRATION_PARTIALLY_APPLIED`) and its row stays unfinished, which
 * blocks later runs until a person has looked (Prisma's P3009) — instead of calling it rolled back.
 */
export async function applyMigration(
  client: pg.ClientBase,
  file: MigrationFile,
  logger: DbLogger,
): Promise<AppliedMigration> {
  const started = Date.now();
  const shape = scriptShape(file.script);
  logger.info({ migration: file.name, statements: shape.statements }, "applying migration");
  if (shape.transactionControl.length > 0) {
    await applyOutsideTransaction(
      client,
      file,
      logger,
      `it controls transactions itself (${shape.transactionControl.join(", ")})`,
    );
  } else {
    const outcome = await applyInTransaction(client, file, logger);
    if (outcome === "needs-own-session") {
      if (shape.statements !== 1) {
        throw new MigrationError(
          `Migration ${file.name} failed and was rolled back: it contains a statement that cannot run inside a transaction (such as CREATE INDEX CONCURRENTLY) among ${shape.statements} statements. PostgreSQL runs a multi-statement script as one transaction (and so does prisma migrate deploy): put that statement in a migration of its own.`,
          { code: "MIGRATION_FAILED" },
        );
      }
      await applyOutsideTransaction(client, file, logger, "its statement cannot run inside a transaction");
    }
  }
  const durationMs = Date.now() - started;
  logger.info({ migration: file.name, durationMs }, "migration applied");
  return { name: file.name, checksum: file.checksum, durationMs };
}

/** BEGIN; row; script; finished; COMMIT. Returns "needs-own-session" when PostgreSQL refused the block. */
async function applyInTransaction(
  client: pg.ClientBase,
  file: MigrationFile,
  logger: DbLogger,
): Promise<"applied" | "needs-own-session"> {
  let phase: "script" | "commit" = "script";
  try {
    await client.query("BEGIN");
    const id = await recordMigrationStarted(client, file.name, file.checksum);
    // Simple query protocol (no parameters): the whole multi-statement script in one round trip.
    await client.query(file.script);
    await recordMigrationFinished(client, id);
    phase = "commit";
    await client.query("COMMIT");
    return "applied";
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    const state = sqlState(error);
    if (
      phase === "script" &&
      (state === ACTIVE_SQL_TRANSACTION || state === INVALID_TRANSACTION_TERMINATION)
    ) {
      logger.info(
        { migration: file.name, sqlState: state },
        "migration cannot run in a transaction; running it on its own",
      );
      return "needs-own-session";
    }
    const logs = describeFailure(error);
    const retriable = isRetriable(classifyDatabaseError(error));
    if (phase === "commit") {
      throw new MigrationError(
        `Migration ${file.name}: the connection failed while committing, so it is either fully applied or not at all (it ran in one transaction with its bookkeeping); run migrate again to find out: ${logs}`,
        { code: "MIGRATION_FAILED", retriable, cause: error },
      );
    }
    await recordRolledBackAttempt(client, file.name, file.checksum, logs).catch((recordError: unknown) =>
      logger.warn(
        { migration: file.name, err: recordError },
        "could not record the rolled-back attempt (it left no changes and blocks nothing)",
      ),
    );
    throw new MigrationError(
      `Migration ${file.name} failed and was rolled back, leaving no changes: ${logs}`,
      {
        code: "MIGRATION_FAILED",
        retriable,
        cause: error,
      },
    );
  }
}

/** Prisma's way: the row first (committed), the script as one simple query, then the row finished. */
async function applyOutsideTransaction(
  client: pg.ClientBase,
  file: MigrationFile,
  logger: DbLogger,
  why: string,
): Promise<void> {
  logger.info(
    { migration: file.name, why },
    "running migration outside a transaction, as prisma migrate deploy does",
  );
  const id = await recordMigrationStarted(client, file.name, file.checksum);
  try {
    await client.query(file.script);
  } catch (error) {
    // The script may have left its own transaction block open and aborted.
    await client.query("ROLLBACK").catch(() => undefined);
    const logs = describeFailure(error);
    await recordMigrationFailed(client, id, logs).catch((recordError: unknown) =>
      logger.warn(
        { migration: file.name, err: recordError },
        "could not record the failure in _prisma_migrations",
      ),
    );
    throw partiallyApplied(file, id, why, logs, error);
  }
  if (await insideTransactionBlock(client)) {
    // BEGIN without COMMIT: recording "finished" inside it would be rolled back with it at disconnect.
    await client.query("ROLLBACK");
    const logs = "the script left a transaction open (BEGIN without COMMIT); it was rolled back";
    await recordMigrationFailed(client, id, logs);
    throw partiallyApplied(file, id, why, logs);
  }
  await recordMigrationFinished(client, id);
}

function partiallyApplied(file: MigrationFile, id: string, why: string, logs: string, cause?: unknown) {
  return new MigrationError(
    `Migration ${file.name} failed part-way: it ran outside a single transaction (${why}), so statements before the failure may have taken effect (an INVALID index after a failed CREATE INDEX CONCURRENTLY, tables created before a COMMIT). Inspect and repair the schema, then mark it resolved (prisma migrate resolve --rolled-back or --applied ${file.name}, or UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${id}'): ${logs}`,
    { code: "MIGRATION_PARTIALLY_APPLIED", retriable: false, cause },
  );
}

/**
 * Outside a block every statement is its own transaction, so its start time is the transaction's;
 * inside a block left open by the script, the transaction started statements earlier.
 */
async function insideTransactionBlock(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ open: boolean }>("SELECT now() <> statement_timestamp() AS open");
  return rows[0]?.open === true;
}

function describeFailure(error: unknown): string {
  const pgError = error as { message?: string; detail?: string; position?: string };
  return [pgError.message, pgError.detail, pgError.position ? `position ${pgError.position}` : undefined]
    .filter(Boolean)
    .join("\n");
}
