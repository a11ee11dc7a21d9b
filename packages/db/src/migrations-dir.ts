import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MigrationError } from "./migration-error.ts";

export interface MigrationFile {
  /** Folder name, e.g. 20261129093000_init; also `_prisma_migrations.migration_name`. */
  name: string;
  script: string;
  /** sha256 of migration.sql, lowercase hex, as Prisma stores it. */
  checksum: string;
}

export function checksumOf(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex");
}

/**
 * Prisma's rule (schema-engine checksum.rs): a script matches a stored checksum also after CRLF/LF
 * conversion, because git may change line endings on checkout.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  return [script, script.replaceAll("\r\n", "\n"), script.replace(/\r?\n/g, "\r\n")].some(
    (variant) => checksumOf(variant) === checksum,
  );
}

/**
 * Reads a Prisma migrations folder: migration_lock.toml must say postgresql, and every sub-folder
 * holding a migration.sql is a migration, applied in name order (the timestamp prefix).
 */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  let lock: string;
  try {
    lock = await readFile(join(migrationsDir, "migration_lock.toml"), "utf8");
  } catch {
    throw new MigrationError(`No migration_lock.toml in ${migrationsDir}: not a Prisma migrations folder`, {
      code: "MIGRATIONS_DIR_INVALID",
    });
  }
  const provider = /^\s*provider\s*=\s*"([^"]+)"/m.exec(lock)?.[1];
  if (provider !== "postgresql") {
    throw new MigrationError(
      `${migrationsDir}/migration_lock.toml says provider "${provider ?? "?"}"; this applier only runs postgresql migrations`,
      { code: "MIGRATION_PROVIDER_MISMATCH" },
    );
  }
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    let script: string;
    try {
      script = await readFile(join(migrationsDir, name, "migration.sql"), "utf8");
    } catch {
      continue; // Prisma skips folders without a migration.sql as well.
    }
    migrations.push({ name, script, checksum: checksumOf(script) });
  }
  return migrations;
}
