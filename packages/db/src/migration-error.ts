import { PlatformError } from "@invoice/errors";

export type MigrationErrorCode =
  | "MIGRATIONS_DIR_INVALID"
  | "MIGRATION_PROVIDER_MISMATCH"
  | "MIGRATION_LOCK_TIMEOUT"
  | "MIGRATION_SCHEMA_NOT_EMPTY"
  | "MIGRATION_FAILED_PREVIOUSLY"
  | "MIGRATION_CHECKSUM_MISMATCH"
  | "MIGRATION_FAILED"
  | "MIGRATION_PARTIALLY_APPLIED";

/**
 * Why `migrate` refused or stopped. The message says what to do; `code` is for programs.
 *
 * Retriable: `MIGRATION_LOCK_TIMEOUT` (another run will finish), and `MIGRATION_FAILED` when the cause
 * is (a lost connection: the migration ran in one transaction with its bookkeeping, so running again
 * is safe). Everything else needs a person: a fix to the folder, the SQL or the database.
 */
export class MigrationError extends PlatformError {
  override readonly name = "MigrationError";
  declare readonly code: MigrationErrorCode;

  constructor(message: string, options: { code: MigrationErrorCode; retriable?: boolean; cause?: unknown }) {
    super(options.code, message, {
      retriable: options.retriable ?? options.code === "MIGRATION_LOCK_TIMEOUT",
      cause: options.cause,
    });
  }
}
