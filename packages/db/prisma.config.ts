import { defineConfig } from "prisma/config";

// Read by the Prisma CLI only (generate; migrate deploy/status where the native schema engine exists).
// The URL falls back to the local default and gets `schema=invoice` when it names no schema, exactly like
// the offline applier (src/database-url.ts), so both put the tables and `_prisma_migrations` in the
// same PostgreSQL schema. `prisma generate` needs no database, so a missing DATABASE_URL is not an error.
const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/invoice";

function withDefaultSchema(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has("schema")) parsed.searchParams.set("schema", "invoice");
  return parsed.toString();
}

export default defineConfig({
  schema: "../../prisma/schema.prisma",
  migrations: { path: "../../prisma/migrations" },
  datasource: { url: withDefaultSchema(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) },
});
