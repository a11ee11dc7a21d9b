import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationError, migrate, PRISMA_MIGRATE_LOCK_ID } from "../src/index.ts";
import { checksumOf, readMigrations } from "../src/migrations-dir.ts";
import { migrationsDir } from "../src/paths.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

/** Every row of every table in the schema, with its row version (xmin): any write shows up. */
async function snapshot(client: pg.Client): Promise<Record<string, { rows: number; digest: string }>> {
  const tables = await client.query<{ name: string }>(
    "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'invoice' ORDER BY 1",
  );
  const result: Record<string, { rows: number; digest: string }> = {};
  for (const { name } of tables.rows) {
    const { rows } = await client.query<{ rows: string; digest: string | null }>(
      `SELECT count(*) AS rows, md5(string_agg(t.xmin::text || ':' || to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text)) AS digest FROM "${name}" t`,
    );
    result[name] = { rows: Number(rows[0]?.rows), digest: rows[0]?.digest ?? "" };
  }
  return result;
}

async function expectMigrationError(promise: Promise<unknown>, code: string): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as MigrationError).code).toBe(code);
  return error as MigrationError;
}

async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "invoice-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

describe("migrate on an empty database", () => {
  let db: TempDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTempDatabase("db_migrate");
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("applies every migration in order with the bookkeeping prisma migrate deploy writes", async () => {
    const files = await readMigrations(migrationsDir);
    const result = await migrate({ databaseUrl: db.url });
    expect(result.schema).toBe("invoice");
    expect(result.applied.map((m) => m.name)).toEqual(files.map((f) => f.name));
    expect(result.seed?.administrativeUnits.inserted).toBeGreaterThan(3000);

    client = await connect(db.url);
    const { rows } = await client.query("SELECT * FROM _prisma_migrations ORDER BY migration_name");
    expect(rows).toHaveLength(files.length);
    for (const [i, row] of rows.entries()) {
      const file = files[i];
      expect(row.migration_name).toBe(file?.name);
      expect(row.checksum).toBe(
        checksumOf(await readFile(join(migrationsDir, row.migration_name, "migration.sql"), "utf8")),
      );
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }

    // Same DDL as Prisma's schema engine, so `prisma migrate deploy/status` read it as their own.
    const columns = await client.query(
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'invoice' AND table_name = '_prisma_migrations'
        ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      {
        column_name: "id",
        data_type: "character varying",
        length: 36,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "checksum",
        data_type: "character varying",
        length: 64,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying",
        length: 255,
        is_nullable: "NO",
        column_default: null,
      },
      { column_name: "logs", data_type: "text", length: null, is_nullable: "YES", column_default: null },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      {
        column_name: "applied_steps_count",
        data_type: "integer",
        length: null,
        is_nullable: "NO",
        column_default: "0",
      },
    ]);
  });

  it("changes nothing when run again: no migration, no written row, same bookkeeping", async () => {
    const before = await snapshot(client);
    const result = await migrate({ databaseUrl: db.url });
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThan(0);
    const seed = result.seed;
    expect(seed).not.toBeNull();
    for (const [table, count] of Object.entries(seed ?? {})) {
      if (typeof count === "object") expect({ table, ...count }).toEqual({ table, inserted: 0, updated: 0 });
    }
    expect(await snapshot(client)).toEqual(before);
    expect(before.AdministrativeUnit?.rows).toBe(34 + 3321);
  });

  it("waits for Prisma's advisory lock and gives up with a clear error when it is held", async () => {
    const holder = await connect(db.url);
    try {
      await holder.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_ID})`);
      const error = await expectMigrationError(
        migrate({ databaseUrl: db.url, lockTimeoutMs: 300 }),
        "MIGRATION_LOCK_TIMEOUT",
      );
      expect(error.message).toContain(String(PRISMA_MIGRATE_LOCK_ID));
    } finally {
      await holder.end();
    }
    // Released with the session: the next run goes through.
    expect((await migrate({ databaseUrl: db.url, lockTimeoutMs: 5_000 })).applied).toEqual([]);
  });
});

describe("migrate refuses inconsistent histories", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function fresh(prefix: string): Promise<{ db: TempDatabase; dir: string }> {
    const db = await createTempDatabase(prefix);
    const dir = await copyMigrations();
    cleanups.push(
      () => db.drop(),
      () => rm(dir, { recursive: true, force: true }),
    );
    return { db, dir };
  }

  it("refuses when an applied migration.sql was edited, but accepts a CRLF checkout of it", async () => {
    const { db, dir } = await fresh("db_tamper");
    await migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false });
    const [first] = await readMigrations(dir);
    if (!first) throw new Error("no migrations");
    const file = join(dir, first.name, "migration.sql");

    await writeFile(file, first.script.replaceAll("\n", "\r\n"));
    expect((await migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false })).applied).toEqual([]);

    await writeFile(file, `${first.script}\n-- sneaky edit\n`);
    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_CHECKSUM_MISMATCH",
    );
    expect(error.message).toContain(first.name);
  });

  it("rolls a failing migration back with its bookkeeping, records the attempt as rolled back and retries it next run", async () => {
    const { db, dir } = await fresh("db_failed");
    const broken = "20991231000000_broken";
    await mkdirMigration(dir, broken, 'CREATE TABLE "Half" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n');

    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir }),
      "MIGRATION_FAILED",
    );
    expect(error.message).toContain(broken);
    expect(error.message).toContain("rolled back");
    expect(error.retriable).toBe(false);

    const client = await connect(db.url);
    cleanups.push(() => client.end());
    const attempts = async () =>
      (await client.query("SELECT * FROM _prisma_migrations WHERE migration_name = $1", [broken])).rows;
    const [attempt, ...others] = await attempts();
    expect(others).toEqual([]);
    expect(attempt.finished_at).toBeNull();
    expect(attempt.rolled_back_at).not.toBeNull();
    expect(attempt.applied_steps_count).toBe(0);
    expect(attempt.logs).toContain("NoSuchTable");
    // The whole migration ran in one transaction: its first statement left nothing behind.
    expect((await client.query(`SELECT to_regclass('"Half"') AS t`)).rows[0].t).toBeNull();

    // Nothing to resolve by hand: fix the file and run again.
    await mkdirMigration(dir, broken, 'CREATE TABLE "Half" ("id" INTEGER);\n');
    const result = await migrate({ databaseUrl: db.url, migrationsDir: dir });
    expect(result.applied.map((m) => m.name)).toEqual([broken]);
    expect((await attempts()).map((row) => row.finished_at === null)).toEqual([true, false]);
  });

  it("reports a script with its own COMMIT that then fails as partly applied, keeps refusing until resolved", async () => {
    const { db, dir } = await fresh("db_commit");
    const name = "20991231000000_own_commit";
    await mkdirMigration(
      dir,
      name,
      'CREATE TABLE "Kept" ("id" INTEGER);\nCOMMIT;\nCREATE TABLE "Lost" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";\n',
    );
    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_PARTIALLY_APPLIED",
    );
    expect(error.message).not.toContain("rolled back,");
    expect(error.message).toContain("may have taken effect");

    const client = await connect(db.url);
    cleanups.push(() => client.end());
    // What the issue saw: the table before the COMMIT stays. Now the error says so.
    expect((await client.query(`SELECT to_regclass('"Kept"') AS t`)).rows[0].t).toBe('"Kept"');
    expect((await client.query(`SELECT to_regclass('"Lost"') AS t`)).rows[0].t).toBeNull();
    const { rows } = await client.query("SELECT * FROM _prisma_migrations WHERE migration_name = $1", [name]);
    expect(rows).toHaveLength(1);
    expect(rows[0].finished_at).toBeNull();
    expect(rows[0].rolled_back_at).toBeNull();
    expect(rows[0].logs).toContain("NoSuchTable");

    const refused = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_FAILED_PREVIOUSLY",
    );
    expect(refused.message).toContain(name);
    expect(refused.message).toContain("partly applied");
  });

  it("applies a script that manages its own transaction, and records it finished", async () => {
    const { db, dir } = await fresh("db_own_tx");
    const name = "20991231000000_own_transaction";
    await mkdirMigration(dir, name, 'BEGIN;\nCREATE TABLE "Own" ("id" INTEGER);\nCOMMIT;\n');
    const result = await migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false });
    expect(result.applied.map((m) => m.name)).toContain(name);
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    const { rows } = await client.query("SELECT * FROM _prisma_migrations WHERE migration_name = $1", [name]);
    expect(rows[0]).toMatchObject({ applied_steps_count: 1, rolled_back_at: null, logs: null });
    expect(rows[0].finished_at).not.toBeNull();
  });

  it("refuses a script that leaves its transaction open instead of recording it applied", async () => {
    const { db, dir } = await fresh("db_open_tx");
    const name = "20991231000000_open_transaction";
    await mkdirMigration(dir, name, 'BEGIN;\nCREATE TABLE "Open" ("id" INTEGER);\n');
    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_PARTIALLY_APPLIED",
    );
    expect(error.message).toContain("left a transaction open");
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    expect((await client.query(`SELECT to_regclass('"Open"') AS t`)).rows[0].t).toBeNull();
    const { rows } = await client.query("SELECT * FROM _prisma_migrations WHERE migration_name = $1", [name]);
    expect(rows[0]).toMatchObject({ finished_at: null, rolled_back_at: null });
  });

  it("runs a CREATE INDEX CONCURRENTLY migration the way prisma migrate deploy does", async () => {
    const { db, dir } = await fresh("db_concurrently");
    const table = "20991231000000_table";
    const index = "20991231000001_index";
    await mkdirMigration(dir, table, 'CREATE TABLE "Big" ("id" INTEGER, "v" TEXT);\n');
    await mkdirMigration(
      dir,
      index,
      '-- CreateIndex\nCREATE INDEX CONCURRENTLY "Big_v_idx" ON "Big"("v");\n',
    );
    const result = await migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false });
    expect(result.applied.map((m) => m.name).slice(-2)).toEqual([table, index]);
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    const valid = await client.query(
      `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'Big_v_idx'`,
    );
    expect(valid.rows).toEqual([{ indisvalid: true }]);
    const { rows } = await client.query(
      "SELECT finished_at FROM _prisma_migrations WHERE migration_name = $1",
      [index],
    );
    expect(rows[0].finished_at).not.toBeNull();
  });

  it("refuses CREATE INDEX CONCURRENTLY among other statements, as PostgreSQL does, leaving no changes", async () => {
    const { db, dir } = await fresh("db_concurrently_mixed");
    const name = "20991231000000_mixed";
    await mkdirMigration(
      dir,
      name,
      'CREATE TABLE "Mixed" ("id" INTEGER);\nCREATE INDEX CONCURRENTLY "Mixed_id_idx" ON "Mixed"("id");\n',
    );
    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_FAILED",
    );
    expect(error.message).toContain("migration of its own");
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    expect((await client.query(`SELECT to_regclass('"Mixed"') AS t`)).rows[0].t).toBeNull();
  });

  it("leaves nothing that blocks later runs when the connection drops mid-migration", async () => {
    const { db, dir } = await fresh("db_dropped");
    const name = "20991231000000_dropped";
    // The session is killed while the migration runs, so recording the failure cannot reach the server.
    await mkdirMigration(
      dir,
      name,
      'CREATE TABLE "Gone" ("id" INTEGER);\nSELECT pg_terminate_backend(pg_backend_pid());\n',
    );
    const error = await expectMigrationError(
      migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false }),
      "MIGRATION_FAILED",
    );
    expect(error.retriable).toBe(true);

    const client = await connect(db.url);
    cleanups.push(() => client.end());
    const { rows } = await client.query(
      "SELECT * FROM _prisma_migrations WHERE migration_name = $1 AND rolled_back_at IS NULL",
      [name],
    );
    expect(rows).toEqual([]);
    expect((await client.query(`SELECT to_regclass('"Gone"') AS t`)).rows[0].t).toBeNull();

    await mkdirMigration(dir, name, 'CREATE TABLE "Gone" ("id" INTEGER);\n');
    const result = await migrate({ databaseUrl: db.url, migrationsDir: dir, seed: false });
    expect(result.applied.map((m) => m.name)).toEqual([name]);
  });

  it("refuses a schema that has tables but no migration history", async () => {
    const { db } = await fresh("db_notempty");
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    await client.query('CREATE SCHEMA invoice; CREATE TABLE invoice."Legacy" (id int)');
    await expectMigrationError(migrate({ databaseUrl: db.url }), "MIGRATION_SCHEMA_NOT_EMPTY");
  });

  it("lets concurrent runs race safely: one applies, the other finds nothing to do", async () => {
    const { db } = await fresh("db_race");
    const results = await Promise.all([migrate({ databaseUrl: db.url }), migrate({ databaseUrl: db.url })]);
    const appliedCounts = results.map((r) => r.applied.length).sort();
    expect(appliedCounts[0]).toBe(0);
    expect(appliedCounts[1]).toBeGreaterThan(0);
    const client = await connect(db.url);
    cleanups.push(() => client.end());
    const { rows } = await client.query("SELECT count(*)::int AS n FROM _prisma_migrations");
    expect(rows[0].n).toBe(appliedCounts[1]);
  });

  it("creates the database when asked to", async () => {
    const { db } = await fresh("db_create");
    await db.drop();
    const result = await migrate({ databaseUrl: db.url, createDatabase: true, seed: false });
    expect(result.applied.length).toBeGreaterThan(0);
  });
});

async function mkdirMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, "migration.sql"), sql);
}
