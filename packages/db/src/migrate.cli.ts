// `pnpm --filter @invoice/db migrate`: apply pending migrations and seed (the `migrate` run mode).
// Env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/invoice; `?schema=` default invoice).
import type { DbLogger } from "./connection.ts";
import { migrate } from "./migrate.ts";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/invoice";

const logger: DbLogger = {
  info: (fields, message) => console.log(`[migrate] ${message} ${JSON.stringify(fields)}`),
  warn: (fields, message) => console.warn(`[migrate] WARN ${message} ${JSON.stringify(fields)}`),
};

try {
  const result = await migrate({
    databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    createDatabase: true,
    logger,
  });
  const names = result.applied.map((m) => m.name);
  console.log(
    `[migrate] done: schema ${result.schema}, applied ${names.length} (${names.join(", ") || "none"}), ${result.alreadyApplied.length} already applied`,
  );
} catch (error) {
  const code =
    typeof error === "object" && error !== null && "code" in error ? ` [${String(error.code)}]` : "";
  console.error(`[migrate] FAILED${code}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
