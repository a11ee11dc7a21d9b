import { classifyDatabaseError, isRetriable } from "@invoice/errors";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, migrate, type PrismaClient } from "../src/index.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

// The classifier is checked against the errors a real PostgreSQL server produces, through both
// `pg` and Prisma 7 with @prisma/adapter-pg, not only against hand-made shapes.
let db: TempDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTempDatabase("db_errors");
  await migrate({ databaseUrl: db.url, seed: false });
  prisma = createPrismaClient({ databaseUrl: db.url });
  const setup = await connect(db.url);
  await setup.query("CREATE TABLE err_probe (id int PRIMARY KEY, n int NOT NULL)");
  await setup.query("INSERT INTO err_probe VALUES (1, 0), (2, 0)");
  await setup.end();
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the work to fail");
}

describe("classifyDatabaseError against a real server", () => {
  it("a serialization failure between two SERIALIZABLE transactions is DB_SERIALIZATION, retriable", async () => {
    const a = await connect(db.url);
    const b = await connect(db.url);
    try {
      await a.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
      await b.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
      await a.query("SELECT n FROM err_probe WHERE id = 1");
      await b.query("SELECT n FROM err_probe WHERE id = 1");
      await a.query("UPDATE err_probe SET n = n + 1 WHERE id = 1");
      await a.query("COMMIT");
      const error = await failure(() => b.query("UPDATE err_probe SET n = n + 1 WHERE id = 1"));
      const classified = classifyDatabaseError(error);
      expect(classified.code).toBe("DB_SERIALIZATION");
      expect(classified.sqlState).toBe("40001");
      expect(isRetriable(classified)).toBe(true);
    } finally {
      await b.query("ROLLBACK").catch(() => {});
      await a.end();
      await b.end();
    }
  });

  it("a deadlock is DB_DEADLOCK, retriable", async () => {
    const a = await connect(db.url);
    const b = await connect(db.url);
    try {
      await a.query("BEGIN");
      await b.query("BEGIN");
      await a.query("UPDATE err_probe SET n = n + 1 WHERE id = 1");
      await b.query("UPDATE err_probe SET n = n + 1 WHERE id = 2");
      const first = a.query("UPDATE err_probe SET n = n + 1 WHERE id = 2").then(
        () => undefined,
        (error: unknown) => error,
      );
      const second = b.query("UPDATE err_probe SET n = n + 1 WHERE id = 1").then(
        () => undefined,
        (error: unknown) => error,
      );
      const errors = (await Promise.all([first, second])).filter((e) => e !== undefined);
      expect(errors).toHaveLength(1);
      const classified = classifyDatabaseError(errors[0]);
      expect(classified.code).toBe("DB_DEADLOCK");
      expect(classified.retriable).toBe(true);
    } finally {
      await a.query("ROLLBACK").catch(() => {});
      await b.query("ROLLBACK").catch(() => {});
      await a.end();
      await b.end();
    }
  });

  it("a unique violation through Prisma is DB_UNIQUE_VIOLATION, not retriable", async () => {
    await prisma.processedEvent.create({ data: { consumer: "c", eventId: "e-1" } });
    const error = await failure(() =>
      prisma.processedEvent.create({ data: { consumer: "c", eventId: "e-1" } }),
    );
    const classified = classifyDatabaseError(error);
    expect(classified.code).toBe("DB_UNIQUE_VIOLATION");
    expect(isRetriable(classified)).toBe(false);
    // The adapter maps 23505 to a kind; the SQLSTATE and the constraint survive it.
    expect(classified.sqlState).toBe("23505");
    expect(classified.constraint).toBe("ProcessedEvent_pkey");
  });

  it("a write on a read-only connection (a standby right after a failover) is DB_UNAVAILABLE, retriable", async () => {
    const error = await failure(() =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET TRANSACTION READ ONLY");
        await tx.$executeRawUnsafe("UPDATE err_probe SET n = n + 1 WHERE id = 1");
      }),
    );
    const classified = classifyDatabaseError(error);
    expect([classified.code, classified.sqlState]).toEqual(["DB_UNAVAILABLE", "25006"]);
    expect(isRetriable(classified)).toBe(true);
  });

  it("a raw query hitting a missing table through Prisma is DB_SCHEMA, not retriable", async () => {
    const error = await failure(() => prisma.$queryRawUnsafe("SELECT * FROM no_such_table"));
    const classified = classifyDatabaseError(error);
    expect(classified.code).toBe("DB_SCHEMA");
    expect(classified.retriable).toBe(false);
  });

  it("a pool with every connection taken times out as DB_POOL_TIMEOUT, retriable", async () => {
    // node-postgres' pool is what Prisma's adapter uses underneath; its only connection is held.
    const pool = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 300 });
    const held = await pool.connect();
    try {
      const classified = classifyDatabaseError(await failure(() => pool.query("SELECT 1")));
      expect(classified.code).toBe("DB_POOL_TIMEOUT");
      expect(classified.retriable).toBe(true);
    } finally {
      held.release();
      await pool.end();
    }
  });

  it("a refused connection is DB_CONNECTION, retriable", async () => {
    const client = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:1/postgres" });
    const error = await failure(() => client.connect());
    const classified = classifyDatabaseError(error);
    expect(classified.code).toBe("DB_CONNECTION");
    expect(classified.retriable).toBe(true);
  });

  it("a backend terminated by the server is DB_CONNECTION, retriable", async () => {
    const victim = await connect(db.url);
    victim.on("error", () => {});
    const killer = await connect(db.url);
    const { rows } = await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pending = failure(() => victim.query("SELECT pg_sleep(30)"));
    await killer.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
    const classified = classifyDatabaseError(await pending);
    await killer.end();
    await victim.end().catch(() => {});
    expect(classified.code).toBe("DB_CONNECTION");
    expect(classified.retriable).toBe(true);
  });
});
