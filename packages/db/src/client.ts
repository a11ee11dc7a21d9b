import { PrismaPg } from "@prisma/adapter-pg";
import { parseDatabaseUrl } from "./database-url.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

export interface CreatePrismaClientOptions {
  /** postgresql:// URL; `?schema=` picks the PostgreSQL schema (default "invoice"). */
  databaseUrl: string;
  /** node-postgres pool size for this client (default: pg's 10). */
  maxConnections?: number;
  /**
   * Give up opening a connection after this long (default 5000). Without it a black-holed network
   * holds a query, and a readiness probe, for the operating system's TCP timeout (minutes).
   */
  connectionTimeoutMs?: number;
}

/**
 * The Prisma 7 client over node-postgres through the driver adapter: no native query engine. Queries
 * are qualified with the schema from the URL, the same one `migrate` creates the tables in.
 *
 * The adapter's `schema` only qualifies the queries Prisma generates; raw SQL (`$queryRaw`, the
 * order-state store) resolves names through `search_path`. Every connection therefore starts with
 * `search_path` set to the same schema, or raw SQL would look for the tables in `public`. (A URL that
 * carries its own `options=` parameter replaces this one: node-postgres lets the URL win.)
 */
export function createPrismaClient(options: CreatePrismaClientOptions): PrismaClient {
  const { connectionString, schema } = parseDatabaseUrl(options.databaseUrl);
  const adapter = new PrismaPg(
    {
      connectionString,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      // `schema` matches [A-Za-z_][A-Za-z0-9_]* (parseDatabaseUrl), so it needs no escaping here.
      options: `-c search_path="${schema}"`,
      ...(options.maxConnections ? { max: options.maxConnections } : {}),
    },
    { schema },
  );
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
