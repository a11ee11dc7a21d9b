import { PlatformError } from "@invoice/errors";

/** PostgreSQL schema of the platform's tables when the URL does not name one (`?schema=`). */
export const DEFAULT_SCHEMA = "invoice";

export interface ParsedDatabaseUrl {
  /** The URL without Prisma's `schema` parameter, for node-postgres. */
  connectionString: string;
  /** The PostgreSQL schema: the URL's `schema` parameter, else "invoice". */
  schema: string;
  /** The database name, for messages and CREATE DATABASE. */
  database: string;
}

/** DATABASE_URL cannot be used (not a URL, not postgresql://, a bad `schema`): a configuration error. */
export class DatabaseUrlError extends PlatformError {
  override readonly name = "DatabaseUrlError";
  declare readonly code: "DATABASE_URL_INVALID";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("DATABASE_URL_INVALID", message, { retriable: false, cause: options.cause });
  }
}

/**
 * Splits a Prisma-style URL (`postgresql://...?schema=invoice`) into what node-postgres and the
 * `search_path` need. Prisma's CLI reads the same parameter, so both agree on where tables live.
 */
export function parseDatabaseUrl(databaseUrl: string): ParsedDatabaseUrl {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError("DATABASE_URL is not a valid URL (expected postgresql://user@host:port/db)");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new DatabaseUrlError(`DATABASE_URL must use postgresql://, got ${url.protocol}//`);
  }
  const schema = url.searchParams.get("schema") ?? DEFAULT_SCHEMA;
  // Interpolated as a quoted identifier in search_path and CREATE SCHEMA: keep it boring.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new DatabaseUrlError(`schema "${schema}" in DATABASE_URL must match [A-Za-z_][A-Za-z0-9_]*`);
  }
  url.searchParams.delete("schema");
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  return { connectionString: url.toString(), schema, database };
}

/** The same server and credentials, another database (tests, CREATE DATABASE from `postgres`). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
