// cdc-sync: consumes Debezium change events of commerce's Merchant table and applies real tax-info
// changes to TaxInfo. This stage: the runnable skeleton.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import { loadCdcSyncConfig } from "./config.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["postgres", "kafka"];

runMain("cdc-sync", async () => {
  const launched = await launch({
    service: "cdc-sync",
    modes: ["worker"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadCdcSyncConfig,
  });
  if (!launched) return;
  const { config, logger } = launched;
  const service = await startService({ config, logger, needs: NEEDS });
  installSignalHandlers(service.shutdown, { logger });
});
