import { stackEnv, uniqueName } from "@invoice/testing";
import pg from "pg";
import { withDatabase } from "../index.ts";

export interface TempDatabase {
  name: string;
  /** URL of the new database (no `?schema=`: the platform default "invoice" applies). */
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDatabase(stackEnv().databaseUrl, "postgres") });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A database of its own per test file, so files run in parallel on one server without interfering. */
export async function createTempDatabase(prefix: string): Promise<TempDatabase> {
  const name = uniqueName(prefix);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: withDatabase(stackEnv().databaseUrl, name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** A pg client on `url` whose unqualified names resolve to the platform schema. */
export async function connect(url: string, schema = "invoice"): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return client;
}
