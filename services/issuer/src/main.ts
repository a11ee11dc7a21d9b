// issuer: the only writer of invoice state; consumes invoice.issuance, applies the per-order state
// machine, calls the provider, routes failures to retry/DLQ, publishes invoice.events.
// This stage: the runnable skeleton.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import { loadIssuerConfig } from "./config.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["postgres", "kafka", "schema-registry"];

runMain("issuer", async () => {
  const launched = await launch({
    service: "issuer",
    modes: ["worker"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadIssuerConfig,
  });
  if (!launched) return;
  const { config, logger } = launched;
  const service = await startService({ config, logger, needs: NEEDS });
  installSignalHandlers(service.shutdown, { logger });
});
