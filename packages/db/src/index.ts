export type { AppliedMigration } from "./apply-migration.ts";
export { type CreatePrismaClientOptions, createPrismaClient, type PrismaClient } from "./client.ts";
export { type DbLogger, PRISMA_MIGRATE_LOCK_ID, silentLogger } from "./connection.ts";
export {
  DatabaseUrlError,
  DEFAULT_SCHEMA,
  type ParsedDatabaseUrl,
  parseDatabaseUrl,
  withDatabase,
} from "./database-url.ts";
export { type CheckSchemaDriftOptions, checkSchemaDrift } from "./drift/check-drift.ts";
export { Prisma } from "./generated/prisma/client.ts";
export * from "./generated/prisma/enums.ts";
export { type MigrateOptions, type MigrateResult, migrate } from "./migrate.ts";
export { MigrationError, type MigrationErrorCode } from "./migration-error.ts";
export * from "./order-state/index.ts";
export { runSeed, type SeedSummary, seed } from "./seed/seed.ts";
