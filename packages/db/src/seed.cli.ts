// `pnpm --filter @invoice/db seed`: re-seed reference data of an already migrated database.
import { seed } from "./seed/seed.ts";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/invoice";

try {
  const summary = await seed({ databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL });
  console.log(`[seed] done ${JSON.stringify(summary)}`);
} catch (error) {
  console.error(`[seed] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
