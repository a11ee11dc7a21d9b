// cdc-sync: consumes Debezium change events of commerce's Merchant table and applies real tax-info
// changes to TaxInfo. This stage: the runnable skeleton.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import { createKafka, createPostgres, createService, launch, runMain } from "@invoice/runtime";
import { loadCdcSyncConfig } from "./config.ts";

runMain("cdc-sync", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "cdc-sync", modes: ["worker"], loadConfig: loadCdcSyncConfig },
    process,
  );
  if (!launched) return;
  const { config, logger } = launched;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  service.addClient(createPostgres(config));
  service.addClient(createKafka(config, logger));

  // 3. cdc-sync's own parts arrive with the CDC flow: the Merchant change-event consumer (an
  //    @invoice/processing component, phase "intake", onFatal → service.fatal).

  // 4. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});
