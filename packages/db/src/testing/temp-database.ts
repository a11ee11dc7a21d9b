import { stackEnv, uniqueName } from "@invoice/testing";
import pg from "pg";
import { quoteIdentifier, withDatabase } from "../database-url.ts";
import { migrate } from "../migrate.ts";

export interface TempDatabase {
  name: string;
  /** URL of the new database (no `?schema=`: the platform default "invoice" applies). */
  url: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

export interface TempDatabaseOptions {
  /** Apply the migrations (`migrate`) before returning; with `seed`, the reference data as well. */
  migrate?: boolean;
  seed?: boolean;
  /** Server to create it on; default the stack's (`DATABASE_URL`, see stackEnv). */
  serverUrl?: string;
}

async function withAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A database of its own per test file, so files run in parallel on one server without interfering.
 * The name starts with `prefix` and is unique per call. Drop it in `afterAll`.
 */
export async function createTempDatabase(
  prefix: string,
  options: TempDatabaseOptions = {},
): Promise<TempDatabase> {
  const serverUrl = options.serverUrl ?? stackEnv().databaseUrl;
  const name = uniqueName(prefix);
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  const database: TempDatabase = {
    name,
    url: withDatabase(serverUrl, name),
    drop: async () => {
      await withAdmin(serverUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
  if (options.migrate || options.seed) {
    try {
      await migrate({ databaseUrl: database.url, seed: options.seed ?? false });
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
  return database;
}

/** A pg client on `url` whose unqualified names resolve to the platform schema. End it when done. */
export async function connect(url: string, schema = "invoice"): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET search_path TO ${quoteIdentifier(schema)}`);
  return client;
}
