// ingest: the machine and merchant edge (webhooks, commerce Avro topics, merchant REST API) that
// normalises everything into invoice.issuance events keyed by orderId. This stage: the runnable skeleton.
// Run modes: api, migrate (database migrations + seed, topics, schemas; then exits).
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import { loadIngestConfig } from "./config.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["kafka", "schema-registry", "redis", "postgres"];

runMain("ingest", async () => {
  const launched = await launch({
    service: "ingest",
    modes: ["api"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadIngestConfig,
  });
  if (!launched) return;
  const { config, logger } = launched;
  const service = await startService({ config, logger, needs: NEEDS });
  installSignalHandlers(service.shutdown, { logger });
});
