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
 */
export function createPrismaClient(options: CreatePrismaClientOptions): PrismaClient {
  const { connectionString, schema } = parseDatabaseUrl(options.databaseUrl);
  const adapter = new PrismaPg(
    {
      connectionString,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      ...(options.maxConnections ? { max: options.maxConnections } : {}),
    },
    { schema },
  );
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
