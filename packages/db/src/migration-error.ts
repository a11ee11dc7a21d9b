export type MigrationErrorCode =
  | "MIGRATIONS_DIR_INVALID"
  | "MIGRATION_PROVIDER_MISMATCH"
  | "MIGRATION_LOCK_TIMEOUT"
  | "MIGRATION_SCHEMA_NOT_EMPTY"
  | "MIGRATION_FAILED_PREVIOUSLY"
  | "MIGRATION_CHECKSUM_MISMATCH"
  | "MIGRATION_FAILED";

/** Why `migrate` refused or stopped. The message says what to do; `code` is for programs. */
export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MigrationError";
  }
}
