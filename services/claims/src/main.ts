// claims: the buyer-facing claim page/API by token (api) and the claim-expiry worker (worker).
// This stage: the runnable skeleton.
// Run modes: api, worker, migrate (database migrations + seed, topics, schemas; then exits).
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import { loadClaimsConfig } from "./config.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["postgres", "redis", "kafka", "schema-registry"];

runMain("claims", async () => {
  const launched = await launch({
    service: "claims",
    modes: ["api", "worker"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadClaimsConfig,
  });
  if (!launched) return;
  const { config, logger } = launched;
  const service = await startService({ config, logger, needs: NEEDS });
  installSignalHandlers(service.shutdown, { logger });
});
